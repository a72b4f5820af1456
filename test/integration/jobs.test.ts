/**
 * Jobs end to end (docs/jobs.md): the TypeScript client, the real broker and real runner processes.
 * Markers are files the pipelines append to per unit of work: they prove whether work ran or stopped.
 */
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {execa} from 'execa';
import {
	InvocationCancelledError,
	JobCancelledError,
	JobNotFoundError,
	PipelineError,
	ResultTooLargeError,
	type JobProgressEvent,
	type PipelineClient,
} from '../../src/index.js';
import {createStack, fixturePipelines, fixturesDir, type Stack} from '../helpers/harness.js';

const jobPipelines = path.join(fixturesDir, 'job_pipelines.py');
const work = mkdtempSync(path.join(tmpdir(), 'mlbridge-jobs-'));
let stack: Stack;
let client: PipelineClient;

before(async () => {
	stack = await createStack('jobs', {runners: 0});
	await stack.startRunner({pipelines: [fixturePipelines, jobPipelines, path.join(fixturesDir, 'typed_pipelines.py')], extraArgs: ['--partitions', '4', '--cancel-grace', '1', '--job-concurrency', '1']});
	client = stack.client;
});
after(async () => stack.close());

function marker(name: string): string {
	return path.join(work, name);
}

function lines(file: string): number {
	return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => setTimeout(resolve, ms));
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > end) {
			throw new Error(`condition not met within ${timeoutMs} ms`);
		}

		await sleep(50);
	}
}

async function jobProcess(...args: string[]): Promise<Record<string, string>> {
	const {stdout} = await execa('node', ['--import', 'tsx', path.join(fixturesDir, 'job-process.ts'), args[0]!, stack.requestTopic, stack.catalogTopic, ...args.slice(1)]);
	return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, string>;
}

test('a job reports progress in order and resolves with its result', {timeout: 60_000}, async () => {
	const seen: number[] = [];
	const job = await client.submit('train_steps', {steps: 6, step_seconds: 0.15}, {onProgress: e => seen.push(e.current)});
	const iterated: JobProgressEvent[] = [];
	for await (const event of job.progress) {
		iterated.push(event);
	}

	assert.deepEqual(await job.result(), {steps: 6, attempt: 1, resumed_from: 0});
	assert.ok(iterated.length >= 2, `progress events: ${iterated.length}`);
	assert.deepEqual(iterated.map(e => e.seq), [...iterated.map(e => e.seq)].sort((a, b) => a - b));
	assert.equal(iterated.at(-1)!.current, 6);
	assert.equal(seen.at(-1), 6);
	const status = await job.status();
	assert.equal(status.state, 'SUCCEEDED');
	assert.equal(status.attempt, 1);
	assert.ok(status.hasCheckpoint);
});

test('a job submitted by a process that exited is reattached from another: result and the rest of its progress arrive', {timeout: 60_000}, async () => {
	const id = `reattach-${Date.now()}`;
	const {id: submitted} = await jobProcess('submit', id, 'train_steps', JSON.stringify({steps: 25, step_seconds: 0.2}));
	assert.equal(submitted, id); // the submitting process has exited by now
	const job = await client.job(id);
	const events: JobProgressEvent[] = [];
	for await (const event of job.progress) {
		events.push(event);
	}

	assert.deepEqual(await job.result(), {steps: 25, attempt: 1, resumed_from: 0});
	assert.deepEqual(await job.args(), {steps: 25, step_seconds: 0.2});
	assert.ok(events.length > 0 && events.at(-1)!.current === 25, JSON.stringify(events.at(-1)));
	assert.equal((await client.jobs({pipeline: 'train_steps'})).some(s => s.id === id && s.state === 'SUCCEEDED'), true);
});

test('an unknown job id is JobNotFoundError, never pending', async () => {
	await assert.rejects(client.job('no-such-job-ever'), (error: unknown) => error instanceof JobNotFoundError && error.jobId === 'no-such-job-ever');
	await assert.rejects(client.cancel('no-such-job-ever'), JobNotFoundError);
});

test('submitting an existing job id returns that job and runs it once', {timeout: 60_000}, async () => {
	const file = marker('dup');
	const id = `dup-${Date.now()}`;
	const first = await client.submit('train_steps', {steps: 3, step_seconds: 0.1, marker: file}, {jobId: id});
	const second = await client.submit('train_steps', {steps: 3, step_seconds: 0.1, marker: file}, {jobId: id});
	assert.equal(second.id, first.id);
	await first.result();
	const third = await client.submit('train_steps', {steps: 99, marker: file}, {jobId: id});
	assert.deepEqual(await third.result(), {steps: 3, attempt: 1, resumed_from: 0});
	await sleep(1000);
	assert.equal(lines(file), 3);
});

test('a job cancelled while queued never starts; cancelling a finished job changes nothing', {timeout: 60_000}, async () => {
	const blocker = await client.submit('train_steps', {steps: 1000, step_seconds: 0.05});
	await waitFor(async () => (await blocker.status()).state === 'RUNNING');
	const file = marker('queued');
	const queued = await client.submit('train_steps', {steps: 2, step_seconds: 0.01, marker: file});
	assert.equal((await queued.status()).state, 'QUEUED');
	assert.equal((await queued.cancel()).state, 'CANCELLED');
	await assert.rejects(queued.result(), JobCancelledError);
	assert.equal((await blocker.cancel()).state, 'CANCEL_REQUESTED');
	await assert.rejects(blocker.result({timeoutMs: 10_000}), JobCancelledError);
	await sleep(1500);
	assert.equal(existsSync(file), false);
	assert.equal((await client.cancel(queued.id)).state, 'CANCELLED');
	const finished = await client.submit('train_steps', {steps: 1, step_seconds: 0.01});
	await finished.result();
	assert.equal((await finished.cancel()).state, 'SUCCEEDED');
});

test('cancel from another process stops a cooperative job within about a second', {timeout: 60_000}, async () => {
	const file = marker('coop');
	const job = await client.submit('train_steps', {steps: 1000, step_seconds: 0.05, marker: file});
	await waitFor(() => lines(file) >= 3);
	const started = Date.now();
	const state = (await jobProcess('cancel', job.id))['state'] ?? '';
	assert.ok(['CANCEL_REQUESTED', 'CANCELLED'].includes(state), state);
	await assert.rejects(job.result({timeoutMs: 10_000}), (error: unknown) => error instanceof JobCancelledError && error.jobId === job.id);
	const tookMs = Date.now() - started;
	const count = lines(file);
	await sleep(500);
	assert.equal(lines(file), count, 'the marker kept growing after the cancellation');
	assert.ok(tookMs < 5000, `cancel to cancelled: ${tookMs} ms (includes a process start)`);
});

test('a failing job rejects with the typed remote error carrying the job id', {timeout: 30_000}, async () => {
	const job = await client.submit('failing_job', {message: 'bad data'});
	await assert.rejects(job.result(), (error: unknown) => error instanceof PipelineError && error.message === 'bad data' && error.remoteType === 'ValueError' && error.requestId === job.id);
	assert.equal((await job.status()).state, 'FAILED');
});

test('a typed pipeline submitted as a job resolves with its typed result (dates included)', {timeout: 30_000}, async () => {
	await waitFor(async () => (await client.listPipelines()).some(p => p.name === 'typed_train'));
	const job = await client.submit('typed_train', {dataset: 'cpu', config: {epochs: 3, optimizer: 'SGD', layers: [4]}, mode: 'full'});
	assert.deepStrictEqual(await job.result(), {
		model_id: 'cpu-sgd-3',
		metrics: {accuracy: 0.9, loss: 0.333333},
		history: [1, 0.5, 0.333333],
		trained_at: new Date('2024-01-02T03:04:05.678Z'),
		tags: {},
		mode: 'full',
	});
	assert.deepStrictEqual(await job.args(), {dataset: 'cpu', config: {epochs: 3, learning_rate: 0.01, optimizer: 'SGD', layers: [4]}, mode: 'full', tags: null}); // as written: schema defaults filled in
	assert.equal((await client.describe('train_steps')).lane, 'JOB');
	assert.equal((await client.describe('typed_train')).lane, 'CALL');
});

test('a job result past the state topic\'s message limit fails with ResultTooLargeError naming it', {timeout: 30_000}, async () => {
	const job = await client.submit('big_result', {size: 2_000_000});
	await assert.rejects(job.result(), (error: unknown) => error instanceof ResultTooLargeError && error.jobId === job.id && /2000\d+ bytes/.test(error.message) && /max\.message\.bytes/.test(error.message));
});

test('aborting a plain invoke stops the runner\'s work', {timeout: 30_000}, async () => {
	const file = marker('abort');
	const controller = new AbortController();
	const call = client.invoke('slow_call', {seconds: 30, marker: file}, {signal: controller.signal, timeoutMs: 60_000});
	await waitFor(() => lines(file) >= 2);
	controller.abort();
	await assert.rejects(call, InvocationCancelledError);
	await waitFor(() => readFileSync(file, 'utf8').trim().endsWith('cancelled'), 5000);
	const count = lines(file);
	await sleep(400);
	assert.equal(lines(file), count);
});

test('process isolation: a job that ignores its cancellation is killed, its worker process gone', {timeout: 90_000}, async () => {
	const isolated = await createStack('jobs-proc', {runners: 0});
	try {
		await isolated.startRunner({pipelines: [jobPipelines], extraArgs: ['--partitions', '4', '--cancel-grace', '1']}); // jobs in processes: the default
		const file = marker('ignore');
		const job = await isolated.client.submit('ignore_cancel', {seconds: 60, marker: file});
		await waitFor(() => lines(file) >= 2, 30_000);
		const pid = Number(readFileSync(file, 'utf8').trim().split('\n').at(-1)!.split(' ').at(-1));
		await job.cancel();
		await assert.rejects(job.result({timeoutMs: 15_000}), JobCancelledError);
		const count = lines(file);
		await sleep(500);
		assert.equal(lines(file), count, 'the marker kept growing');
		assert.throws(() => process.kill(pid, 0), /ESRCH/);
	} finally {
		await isolated.close();
	}
});
