/**
 * The client commands (invoke, submit, jobs, job, cancel, pipelines) against a fake client: the
 * command line, what each prints, exit codes, and Ctrl-C while following a job. The real client,
 * broker and runner are in test/integration/cli.test.ts.
 */
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {Writable} from 'node:stream';
import {describe, test} from 'node:test';
import type {CliArgs, CliClient, CliJob, CliJobStatus, CliPipeline, CliProgress} from '../../src/cli/cli-client.js';
import {runClientCommand} from '../../src/cli/client-commands.js';
import {clientOptions, type CliIo} from '../../src/cli/command-context.js';
import {cliJobStatus} from '../helpers/cli-job-status.js';
import {InvocationCancelledError, PipelineError, type ClientOptions, type InvokeOptions, type JobResultOptions} from '../../src/index.js';

const t0 = Date.UTC(2026, 11, 4, 14, 0, 0);

type FakeIo = CliIo & {out(): string; err(): string; interrupt(): void; readonly handlers: Array<() => void>};

function fakeIo(tty = false): FakeIo {
	let out = '';
	let err = '';
	const handlers: Array<() => void> = [];
	const sink = (append: (text: string) => void): Writable =>
		new Writable({
			write(chunk: Buffer, _encoding, done) {
				append(chunk.toString());
				done();
			},
		});
	return {
		stdout: sink(t => (out += t)),
		stderr: sink(t => (err += t)),
		env: {},
		tty,
		onInterrupt(handler) {
			handlers.push(handler);
			return () => handlers.splice(handlers.indexOf(handler), 1);
		},
		now: () => t0 + 60_000,
		out: () => out,
		err: () => err,
		interrupt() {
			for (const handler of [...handlers]) {
				handler();
			}
		},
		handlers,
	};
}

function status(overrides: Partial<CliJobStatus> = {}): CliJobStatus {
	return cliJobStatus(t0, overrides);
}

/** A job whose progress and outcome the test drives. */
class FakeJob implements CliJob {
	readonly pipeline = 'train';
	current: CliJobStatus;
	resolve!: (value: unknown) => void;
	reject!: (error: unknown) => void;
	readonly #result: Promise<unknown>;
	readonly #queue: Array<CliProgress | 'end'> = [];
	#wake: (() => void) | undefined;

	constructor(readonly id: string, initial: CliJobStatus) {
		this.current = initial;
		this.#result = new Promise((resolve, reject) => {
			this.resolve = resolve;
			this.reject = reject;
		});
		this.#result.catch(() => undefined);
	}

	async result(options: JobResultOptions = {}): Promise<unknown> {
		const {signal} = options;
		if (signal === undefined) {
			return this.#result;
		}

		return Promise.race([
			this.#result,
			new Promise((_resolve, reject) => {
				signal.addEventListener('abort', () => {
					reject(signal.reason);
				});
			}),
		]);
	}

	async status(): Promise<CliJobStatus> {
		return this.current;
	}

	push(item: CliProgress | 'end'): void {
		this.#queue.push(item);
		this.#wake?.();
	}

	get progress(): AsyncIterable<CliProgress> {
		const queue = this.#queue;
		const wait = async (): Promise<void> =>
			new Promise(resolve => {
				this.#wake = resolve;
			});
		return {
			async *[Symbol.asyncIterator]() {
				for (;;) {
					const item = queue.shift();
					if (item === 'end') {
						return;
					}

					if (item === undefined) {
						await wait();
						continue;
					}

					yield item;
				}
			},
		};
	}
}

type Calls = {
	connect: ClientOptions[];
	invoke: Array<{name: string; args: CliArgs; options: InvokeOptions | undefined}>;
	submit: Array<{name: string; args: CliArgs; options: unknown}>;
	jobs: unknown[];
	cancel: string[];
	closed: number;
};

function fakeClient(overrides: Partial<CliClient> = {}): {client: CliClient; calls: Calls; connect: (o: ClientOptions) => Promise<CliClient>} {
	const calls: Calls = {connect: [], invoke: [], submit: [], jobs: [], cancel: [], closed: 0};
	const job = new FakeJob('job-1', status({state: 'QUEUED', attempt: 0}));
	const client: CliClient = {
		async invoke(name, args, options) {
			calls.invoke.push({name, args, options});
			return {echo: args, big: 2n ** 64n};
		},
		async listPipelines(): Promise<CliPipeline[]> {
			return [];
		},
		async submit(name, args, options) {
			calls.submit.push({name, args, options});
			return job;
		},
		async job() {
			return job;
		},
		async jobs(filter) {
			calls.jobs.push(filter);
			return [status()];
		},
		async cancel(id) {
			calls.cancel.push(id);
			return status({id, state: 'CANCEL_REQUESTED'});
		},
		async close() {
			calls.closed++;
		},
		...overrides,
	};
	return {
		client,
		calls,
		async connect(options) {
			calls.connect.push(options);
			return client;
		},
	};
}

describe('mlbridge CLI: bad usage', () => {
	const cases: Array<[string, string[], RegExp]> = [
		['invoke without a name', ['invoke'], /missing required argument 'name'/],
		['--args that is not JSON', ['invoke', 'echo', '--args', '{x'], /--args <json>.*not JSON/],
		['--args that is not an object', ['invoke', 'echo', '--args', '[1]'], /expected a JSON object of named arguments/],
		['--args from a missing file', ['invoke', 'echo', '--args', '@/nonexistent/args.json'], /cannot read \/nonexistent\/args\.json/],
		['a --timeout that is not a number', ['invoke', 'echo', '--timeout', '5s'], /--timeout <ms>.*expected a whole number > 0/],
		['a zero --max-attempts', ['submit', 'train', '--max-attempts', '0'], /expected a whole number > 0/],
		['an unknown --state', ['jobs', '--state', 'sleeping'], /expected one or more of queued, running, cancel-requested/],
		['an empty --brokers', ['jobs', '--brokers', ' , '], /expected host:port/],
		['an unknown flag', ['jobs', '--colour'], /unknown option '--colour'/],
		['a second positional', ['cancel', 'a', 'b'], /too many arguments/],
	];
	for (const [what, argv, message] of cases) {
		test(`${what}: exit 2, the error and the usage, nothing connected`, async () => {
			const io = fakeIo();
			const fake = fakeClient();
			assert.equal(await runClientCommand(argv, io, fake.connect), 2);
			assert.match(io.err(), message);
			assert.match(io.err(), /Usage: mlbridge /);
			assert.equal(fake.calls.connect.length, 0);
		});
	}

	test('--help prints the usage on stdout, exit 0', async () => {
		const io = fakeIo();
		assert.equal(await runClientCommand(['job', '--help'], io, fakeClient().connect), 0);
		assert.match(io.out(), /Usage: mlbridge job \[options\] <id>/);
		assert.match(io.out(), /--follow/);
		assert.match(io.out(), /--request-topic <topic>/);
	});
});

describe('mlbridge invoke', () => {
	test('prints the result as JSON; the flags reach the client, quiet unless --verbose', async () => {
		const io = fakeIo();
		const fake = fakeClient();
		const argv = ['invoke', 'echo', '--args', '{"n": 1}', '--timeout', '500', '--brokers', 'a:1,b:2', '--request-topic', 'req', '--catalog-topic', 'cat'];
		assert.equal(await runClientCommand(argv, io, fake.connect), 0);
		assert.deepEqual(JSON.parse(io.out()), {echo: {n: 1}, big: '18446744073709551616'});
		assert.deepEqual(fake.calls.connect, [{brokers: ['a:1', 'b:2'], requestTopic: 'req', catalogTopic: 'cat', logLevel: 'error'}]);
		assert.equal(fake.calls.invoke[0]?.options?.timeoutMs, 500);
		assert.equal(fake.calls.closed, 1);
		await runClientCommand(['invoke', 'echo', '--verbose'], io, fake.connect);
		assert.equal(fake.calls.connect[1]?.logLevel, 'info');
		assert.deepEqual(fake.calls.invoke[1]?.args, {});
	});

	test('--verbose with MLBRIDGE_LOG_LEVEL leaves the level to the client; without --verbose only errors log', () => {
		assert.deepEqual(clientOptions({verbose: true}, {MLBRIDGE_LOG_LEVEL: 'debug'}), {});
		assert.deepEqual(clientOptions({}, {MLBRIDGE_LOG_LEVEL: 'debug'}), {logLevel: 'error'});
	});

	test('--client-id (else MLBRIDGE_CLIENT_ID) names the client, as per-client ACLs need', async () => {
		const fake = fakeClient();
		assert.equal(await runClientCommand(['invoke', 'echo', '--client-id', 'billing'], fakeIo(), fake.connect), 0);
		assert.equal(fake.calls.connect[0]?.clientId, 'billing');
		assert.equal(clientOptions({}, {MLBRIDGE_CLIENT_ID: 'reports'}).clientId, 'reports');
		assert.equal(clientOptions({clientId: 'billing'}, {MLBRIDGE_CLIENT_ID: 'reports'}).clientId, 'billing');
		assert.equal(clientOptions({}, {}).clientId, undefined);
	});

	test('--json prints {ok, result}', async () => {
		const io = fakeIo();
		assert.equal(await runClientCommand(['invoke', 'echo', '--json', '--args', '{"a": "x"}'], io, fakeClient().connect), 0);
		assert.deepEqual(JSON.parse(io.out()), {ok: true, result: {echo: {a: 'x'}, big: '18446744073709551616'}});
	});

	const failing = (): CliClient['invoke'] => async () => {
		throw new PipelineError('req-9', 'fail', {code: 'PIPELINE_ERROR', type: 'DataError', message: 'boom', traceback: 'Traceback ...\nDataError: boom', retryable: false, causes: []}, 'host/1');
	};

	test('a typed error: class, code and message on stderr, exit 1; the traceback with --verbose', async () => {
		const io = fakeIo();
		const fake = fakeClient({invoke: failing()});
		assert.equal(await runClientCommand(['invoke', 'fail'], io, fake.connect), 1);
		assert.match(io.err(), /^PipelineError \[PIPELINE_ERROR\]: boom\n/);
		assert.doesNotMatch(io.err(), /Traceback/);
		assert.equal(io.out(), '');
		assert.equal(fake.calls.closed, 1, 'the client is closed after an error too');
		const verbose = fakeIo();
		assert.equal(await runClientCommand(['invoke', 'fail', '-v'], verbose, fake.connect), 1);
		assert.match(verbose.err(), /Traceback \.\.\.\nDataError: boom/);
	});

	test('a typed error with --json: {ok: false, error} on stdout, exit 1', async () => {
		const io = fakeIo();
		assert.equal(await runClientCommand(['invoke', 'fail', '--json'], io, fakeClient({invoke: failing()}).connect), 1);
		const printed = JSON.parse(io.out()) as {ok: boolean; error: Record<string, unknown>};
		assert.equal(printed.ok, false);
		assert.equal(printed.error['name'], 'PipelineError');
		assert.equal(printed.error['code'], 'PIPELINE_ERROR');
		assert.equal(printed.error['requestId'], 'req-9');
	});

	test('Ctrl-C aborts the call (the signal reaches the client), exit 130', async () => {
		const io = fakeIo();
		const fake = fakeClient({
			async invoke(name, _args, options) {
				return new Promise((_resolve, reject) => {
					options?.signal?.addEventListener('abort', () => {
						reject(new InvocationCancelledError('req-3', name, options.signal?.reason));
					});
					io.interrupt();
				});
			},
		});
		assert.equal(await runClientCommand(['invoke', 'sleep'], io, fake.connect), 130);
		assert.match(io.err(), /^InvocationCancelledError \[CANCELLED\]/);
		assert.equal(io.handlers.length, 0, 'the Ctrl-C handler is removed');
	});

	test('a failure to connect is a typed error too', async () => {
		const io = fakeIo();
		const {BrokerUnreachableError} = await import('../../src/index.js');
		const code = await runClientCommand(['pipelines'], io, async () => {
			throw new BrokerUnreachableError(['nowhere:9092'], new Error('ECONNREFUSED'));
		});
		assert.equal(code, 1);
		assert.match(io.err(), /^BrokerUnreachableError \[BROKER_UNREACHABLE\]: /);
	});
});

describe('mlbridge submit, jobs, cancel', () => {
	test('submit prints the job id alone and passes --job-id and --max-attempts', async () => {
		const io = fakeIo();
		const fake = fakeClient();
		assert.equal(await runClientCommand(['submit', 'train', '--args', '{"epochs": 3}', '--job-id', 'job-1', '--max-attempts', '2'], io, fake.connect), 0);
		assert.equal(io.out(), 'job-1\n');
		assert.deepEqual(fake.calls.submit, [{name: 'train', args: {epochs: 3}, options: {jobId: 'job-1', maxAttempts: 2}}]);
	});

	test('jobs passes the filter (state in any case) and prints a table; --json an array', async () => {
		const io = fakeIo();
		const fake = fakeClient();
		assert.equal(await runClientCommand(['jobs', '--state', 'running', '--pipeline', 'train', '--limit', '5'], io, fake.connect), 0);
		assert.deepEqual(fake.calls.jobs, [{pipeline: 'train', state: 'RUNNING', limit: 5}]);
		assert.match(io.out(), /^ID +PIPELINE +STATE/);
		assert.match(io.out(), /\njob-1 +train +RUNNING +1\/3 /);
		const json = fakeIo();
		assert.equal(await runClientCommand(['jobs', '--json', '--state', 'CANCEL-REQUESTED'], json, fake.connect), 0);
		assert.deepEqual(fake.calls.jobs[1], {state: 'CANCEL_REQUESTED'});
		assert.equal(await runClientCommand(['jobs', '--state', 'queued, Running'], fakeIo(), fake.connect), 0);
		assert.deepEqual(fake.calls.jobs[2], {state: ['QUEUED', 'RUNNING']});
		assert.equal((JSON.parse(json.out()) as CliJobStatus[])[0]?.id, 'job-1');
	});

	test('--args @FILE reads the arguments from a file', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'mlbridge-cli-args-'));
		try {
			writeFileSync(path.join(dir, 'args.json'), '{"epochs": 7}');
			const fake = fakeClient();
			assert.equal(await runClientCommand(['submit', 'train', '--args', `@${path.join(dir, 'args.json')}`], fakeIo(), fake.connect), 0);
			assert.deepEqual(fake.calls.submit[0]?.args, {epochs: 7});
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});

	test('pipelines prints the catalogue as a table; --json as an array', async () => {
		const pipeline: CliPipeline = {name: 'echo', version: 3, versions: [3], doc: 'Echo.', typed: false, argsSchema: undefined, resultSchema: undefined, timeoutMs: undefined, runner: 'r', lane: 'CALL'};
		const fake = fakeClient({listPipelines: async () => [pipeline]});
		const io = fakeIo();
		assert.equal(await runClientCommand(['pipelines'], io, fake.connect), 0);
		assert.equal(io.out(), 'NAME  LANE  VERSION  SIGNATURE  DOC\necho  CALL  3        (untyped)  Echo.\n');
		const json = fakeIo();
		assert.equal(await runClientCommand(['pipelines', '--json'], json, fake.connect), 0);
		assert.deepEqual((JSON.parse(json.out()) as CliPipeline[]).map(p => [p.name, p.lane, p.version]), [['echo', 'CALL', 3]]);
	});

	test('cancel says what happened', async () => {
		const io = fakeIo();
		const fake = fakeClient();
		assert.equal(await runClientCommand(['cancel', 'job-7'], io, fake.connect), 0);
		assert.deepEqual(fake.calls.cancel, ['job-7']);
		assert.match(io.out(), /^job job-7: CANCEL_REQUESTED; the runner holding it stops it/);
	});
});

describe('mlbridge job', () => {
	test('the status of a finished job, with its result', async () => {
		const io = fakeIo();
		const job = new FakeJob('job-2', status({id: 'job-2', state: 'SUCCEEDED', finishedAtMs: t0 + 4000}));
		job.resolve({accuracy: 0.9});
		assert.equal(await runClientCommand(['job', 'job-2'], io, fakeClient({job: async () => job}).connect), 0);
		assert.match(io.out(), /^job +job-2\n/);
		assert.match(io.out(), /\nstate +SUCCEEDED, attempt 1 of 3\n/);
		assert.match(io.out(), /\nresult\n\{\n {2}"accuracy": 0\.9\n\}\n$/);
		const json = fakeIo();
		assert.equal(await runClientCommand(['job', 'job-2', '--json'], json, fakeClient({job: async () => job}).connect), 0);
		const printed = JSON.parse(json.out()) as {ok: boolean; job: CliJobStatus; result: unknown};
		assert.equal(printed.ok, true);
		assert.equal(printed.job.state, 'SUCCEEDED');
		assert.deepEqual(printed.result, {accuracy: 0.9});
	});

	test('--follow prints the state, one line per progress report with ETA, then the result', async () => {
		const io = fakeIo();
		const job = new FakeJob('job-3', status({id: 'job-3', startedAtMs: t0}));
		const run = runClientCommand(['job', 'job-3', '--follow'], io, fakeClient({job: async () => job}).connect);
		await waitFor(() => io.out().includes('RUNNING'));
		job.push({current: 1, total: 4, message: 'epoch 1', atMs: t0 + 1000});
		job.push({current: 2, total: 4, message: 'epoch 2', atMs: t0 + 2000});
		await waitFor(() => io.out().includes('epoch 2'));
		job.current = status({id: 'job-3', state: 'SUCCEEDED', startedAtMs: t0, finishedAtMs: t0 + 4000});
		job.resolve({done: true});
		job.push({current: 4, total: 4, message: 'epoch 4', atMs: t0 + 4000});
		job.push('end');
		assert.equal(await run, 0);
		assert.deepEqual(io.out().split('\n'), [
			'job job-3 (train): RUNNING, attempt 1 of 3',
			'progress 1/4 (25%), ETA 3s: epoch 1',
			'progress 2/4 (50%), ETA 2s: epoch 2',
			'progress 4/4 (100%), ETA 0s: epoch 4',
			'job job-3: SUCCEEDED, attempt 1 of 3, ran 4s',
			'{',
			'  "done": true',
			'}',
			'',
		]);
	});

	test('--follow of a job that fails prints its typed error, exit 1', async () => {
		const io = fakeIo();
		const job = new FakeJob('job-4', status({id: 'job-4'}));
		const run = runClientCommand(['job', 'job-4', '--follow', '--json'], io, fakeClient({job: async () => job}).connect);
		await waitFor(() => io.handlers.length > 0);
		job.reject(new PipelineError('job-4', 'train', {code: 'PIPELINE_ERROR', type: 'ValueError', message: 'nan loss', traceback: '', retryable: false, causes: []}, 'host/1'));
		job.push('end');
		assert.equal(await run, 1);
		const printed = JSON.parse(io.out()) as {ok: boolean; job: CliJobStatus; error: Record<string, unknown>};
		assert.equal(printed.ok, false);
		assert.equal(printed.error['name'], 'PipelineError');
		assert.equal(printed.error['message'], 'nan loss');
	});

	test('Ctrl-C while following detaches: the job is not cancelled, the message says so, exit 130', async () => {
		const io = fakeIo();
		const job = new FakeJob('job-5', status({id: 'job-5'}));
		const fake = fakeClient({job: async () => job});
		const run = runClientCommand(['job', 'job-5', '--follow'], io, fake.connect);
		await waitFor(() => io.handlers.length > 0 && io.out().includes('RUNNING'));
		job.push({current: 1, total: 10, message: 'epoch 1', atMs: t0 + 2000});
		await waitFor(() => io.out().includes('epoch 1'));
		io.interrupt();
		assert.equal(await run, 130);
		assert.match(io.err(), /Detached from job job-5: it goes on running\. Follow it again with: mlbridge job job-5 --follow/);
		assert.deepEqual(fake.calls.cancel, [], 'detaching never cancels');
		assert.equal(fake.calls.closed, 1);
		assert.equal(io.handlers.length, 0);
	});

	test('--follow of a job that already finished prints only its closing line and the result', async () => {
		const io = fakeIo();
		const job = new FakeJob('job-6', status({id: 'job-6', state: 'SUCCEEDED', finishedAtMs: t0 + 3000}));
		job.resolve('trained');
		job.push('end');
		assert.equal(await runClientCommand(['job', 'job-6', '--follow'], io, fakeClient({job: async () => job}).connect), 0);
		assert.equal(io.out(), 'job job-6: SUCCEEDED, attempt 1 of 3, ran 2s\n"trained"\n');
	});

	test('submit --follow prints the id, then follows', async () => {
		const io = fakeIo();
		const fake = fakeClient();
		const job = await fake.client.submit('train', {}, {});
		const run = runClientCommand(['submit', 'train', '--follow'], io, fake.connect);
		await waitFor(() => io.out().includes('QUEUED'));
		(job as FakeJob).resolve(42);
		(job as FakeJob).push('end');
		assert.equal(await run, 0);
		assert.match(io.out(), /^job-1\njob job-1 \(train\): QUEUED\n[^]*\n42\n$/);
	});
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) {
			throw new Error('condition not met in time');
		}

		await new Promise(resolve => setTimeout(resolve, 5));
	}
}
