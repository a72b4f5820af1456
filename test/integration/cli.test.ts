/**
 * The client commands of `mlbridge` end to end: each test runs the CLI as its own OS process (the
 * TypeScript source through tsx, as `npm run codegen:fixtures` does) against the real broker and a
 * real Python runner serving a pipelines file written here.
 */
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {after, before, describe, test} from 'node:test';
import {execa} from 'execa';
import {RunnerProcess} from '../../src/index.js';
import {brokers, uniqueName} from '../helpers/harness.js';

const cliMain = path.resolve('src/cli/main.ts');

const pipelinesSource = `
import time

from mlbridge_runner import Progress, pipeline


@pipeline("cli_add")
def cli_add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@pipeline("cli_fail")
def cli_fail(message: str) -> str:
    raise ValueError(message)


@pipeline("cli_train", job=True)
def cli_train(epochs: int, step_seconds: float = 0.3, progress: Progress = Progress()) -> dict:
    """Train for a number of epochs; stops when cancelled."""
    for epoch in range(1, epochs + 1):
        progress.raise_if_cancelled()
        time.sleep(step_seconds)
        progress(epoch, epochs, f"epoch {epoch}")
    return {"epochs": epochs}
`;

type Run = {code: number; stdout: string; stderr: string};

describe('mlbridge invoke / submit / jobs / job / cancel / pipelines', {timeout: 300_000}, () => {
	const requestTopic = uniqueName('cli');
	const catalogTopic = `${requestTopic}.catalog`;
	const env = {KAFKA_BROKERS: brokers.join(','), MLBRIDGE_REQUEST_TOPIC: requestTopic, MLBRIDGE_CATALOG_TOPIC: catalogTopic};
	let dir: string;
	let runner: RunnerProcess | undefined;

	const cli = async (args: string[]): Promise<Run> => {
		const result = await execa(process.execPath, ['--import', 'tsx', cliMain, ...args], {reject: false, env, timeout: 120_000});
		return {code: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr};
	};

	before(async () => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'mlbridge-cli-it-'));
		const pipelines = path.join(dir, 'cli_pipelines.py');
		writeFileSync(pipelines, pipelinesSource);
		runner = await RunnerProcess.start({
			pipelines: [pipelines],
			brokers,
			requestTopic,
			group: `${requestTopic}.runners`,
			extraArgs: ['--partitions', '4'],
			env: {MLBRIDGE_CATALOG_TOPIC: catalogTopic},
		});
	});
	after(async () => {
		await runner?.stop();
		rmSync(dir, {recursive: true, force: true});
	});

	test('invoke prints the result as JSON; --json prints {ok, result}', async () => {
		const plain = await cli(['invoke', 'cli_add', '--args', '{"a": 2, "b": 40}']);
		assert.equal(plain.code, 0, plain.stderr);
		assert.equal(plain.stdout, '42');
		assert.equal(plain.stderr, '', 'logs stay quiet');
		const json = await cli(['invoke', 'cli_add', '--args', '{"a": 1, "b": 1}', '--json']);
		assert.equal(json.code, 0, json.stderr);
		assert.deepEqual(JSON.parse(json.stdout), {ok: true, result: 2});
	});

	test('invoke of a pipeline that raises: class, code and message, exit 1; the traceback with --verbose', async () => {
		const quiet = await cli(['invoke', 'cli_fail', '--args', '{"message": "bad data"}']);
		assert.equal(quiet.code, 1);
		assert.match(quiet.stderr, /^PipelineError \[PIPELINE_ERROR\]: bad data\n {2}\(remote ValueError, request [\w-]+, runner \S+\)\n/);
		assert.doesNotMatch(quiet.stderr, /Traceback/);
		const verbose = await cli(['invoke', 'cli_fail', '--args', '{"message": "bad data"}', '--verbose']);
		assert.equal(verbose.code, 1);
		assert.match(verbose.stderr, /Traceback \(most recent call last\):[^]*ValueError: bad data/);
		const json = await cli(['invoke', 'cli_fail', '--args', '{"message": "bad data"}', '--json']);
		assert.equal(json.code, 1);
		const printed = JSON.parse(json.stdout) as {ok: boolean; error: Record<string, unknown>};
		assert.equal(printed.ok, false);
		assert.equal(printed.error['name'], 'PipelineError');
		assert.equal(printed.error['remoteType'], 'ValueError');
	});

	test('bad usage: exit 2 with the usage', async () => {
		const run = await cli(['invoke', 'cli_add', '--args', 'not json']);
		assert.equal(run.code, 2);
		assert.match(run.stderr, /not JSON/);
		assert.match(run.stderr, /Usage: mlbridge invoke \[options\] <name>/);
	});

	test('pipelines lists the runner\'s pipelines with lane, version and signature', async () => {
		const run = await cli(['pipelines']);
		assert.equal(run.code, 0, run.stderr);
		const lines = run.stdout.split('\n');
		assert.match(lines[0] ?? '', /^NAME +LANE +VERSION +SIGNATURE +DOC$/);
		assert.ok(lines.some(line => /^cli_add +CALL +1 +\(a: long, b: long\) -> long +Add two numbers\.$/.test(line)), run.stdout);
		assert.ok(lines.some(line => /^cli_train +JOB +1 +\(untyped\) +Train for a number of epochs; stops when cancelled\.$/.test(line)), run.stdout);
		const json = await cli(['pipelines', '--json']);
		const names = (JSON.parse(json.stdout) as Array<{name: string; lane: string}>).map(p => `${p.name}:${p.lane}`);
		assert.deepEqual(names, ['cli_add:CALL', 'cli_fail:CALL', 'cli_train:JOB']);
	});

	test('submit prints the job id; job --follow, from another process, shows progress and then the result', async () => {
		const submitted = await cli(['submit', 'cli_train', '--args', '{"epochs": 12, "step_seconds": 0.5}']);
		assert.equal(submitted.code, 0, submitted.stderr);
		const id = submitted.stdout;
		assert.match(id, /^\S+$/, 'the id alone on its line');
		const followed = await cli(['job', id, '--follow']);
		assert.equal(followed.code, 0, followed.stderr);
		assert.match(followed.stdout, new RegExp(`^job ${id} \\(cli_train\\): (QUEUED|RUNNING)`));
		assert.match(followed.stdout, /\nprogress \d+\/12 \(\d+%\)(, ETA [^:]+)?: epoch \d+\n/, 'plain progress lines when stdout is not a terminal');
		assert.match(followed.stdout, new RegExp(`\\njob ${id}: SUCCEEDED, attempt 1 of \\d+, ran \\S+\\n\\{\\n {2}"epochs": 12\\n\\}$`));

		const listed = await cli(['jobs', '--pipeline', 'cli_train', '--state', 'succeeded']);
		assert.equal(listed.code, 0, listed.stderr);
		assert.match(listed.stdout, new RegExp(`\\n${id} +cli_train +SUCCEEDED +1/`));
		const status = await cli(['job', id, '--json']);
		assert.equal(status.code, 0, status.stderr);
		const printed = JSON.parse(status.stdout) as {ok: boolean; job: {state: string; attempt: number}; result: unknown};
		assert.equal(printed.job.state, 'SUCCEEDED');
		assert.deepEqual(printed.result, {epochs: 12});
	});

	test('Ctrl-C while following detaches (exit 130, the job goes on); cancel then stops it', async () => {
		const id = `cli-${Date.now()}`;
		const submitted = await cli(['submit', 'cli_train', '--args', '{"epochs": 200, "step_seconds": 0.2}', '--job-id', id]);
		assert.equal(submitted.code, 0, submitted.stderr);
		assert.equal(submitted.stdout, id);
		const follower = execa(process.execPath, ['--import', 'tsx', cliMain, 'job', id, '--follow'], {reject: false, env, buffer: true, timeout: 120_000});
		await new Promise<void>((resolve, reject) => {
			createInterface({input: follower.stdout!}).on('line', line => {
				if (line.startsWith('progress ')) {
					resolve();
				}
			});
			void follower.then(result => reject(new Error(`follow ended early (${String(result.exitCode)}): ${String(result.stderr)}`)));
		});
		follower.kill('SIGINT');
		const detached = await follower;
		assert.equal(detached.exitCode, 130);
		assert.match(String(detached.stderr), new RegExp(`Detached from job ${id}: it goes on running`));

		const still = await cli(['job', id, '--json']);
		assert.equal((JSON.parse(still.stdout) as {job: {state: string}}).job.state, 'RUNNING', 'detaching did not stop the job');

		const cancelled = await cli(['cancel', id]);
		assert.equal(cancelled.code, 0, cancelled.stderr);
		assert.match(cancelled.stdout, new RegExp(`^job ${id}: (CANCEL_REQUESTED|CANCELLED)`));
		const followed = await cli(['job', id, '--follow']);
		assert.equal(followed.code, 1);
		assert.match(followed.stderr, /^JobCancelledError \[CANCELLED\]/);
		assert.match(followed.stdout, new RegExp(`(^|\\n)job ${id}: CANCELLED`));
	});

	test('job of an unknown id: JobNotFoundError, exit 1', async () => {
		const run = await cli(['job', `no-such-job-${Date.now()}`]);
		assert.equal(run.code, 1);
		assert.match(run.stderr, /^JobNotFoundError \[JOB_NOT_FOUND\]: No job "no-such-job-\d+"/);
	});
});
