import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {
	ClientClosedError,
	InvalidArgumentsError,
	InvocationCancelledError,
	InvocationTimeoutError,
	PipelineClient,
	PipelineError,
	ResultTooLargeError,
	UnknownPipelineError,
	createLogger,
} from '../../src/index.js';
import {brokers, createStack, type Stack} from '../helpers/harness.js';

describe('errors callers can tell apart', () => {
	let stack: Stack;
	before(async () => {
		stack = await createStack('errors');
	});
	after(async () => {
		await stack.close();
	});

	test('an unknown pipeline rejects with UnknownPipelineError carrying the request id', async () => {
		await assert.rejects(stack.client.invoke('no_such_pipeline', {}), (error: unknown) => {
			assert.ok(error instanceof UnknownPipelineError);
			assert.equal(error.code, 'UNKNOWN_PIPELINE');
			assert.match(error.requestId ?? '', /^[\da-f-]{36}$/);
			assert.match(error.message, /no_such_pipeline/);
			assert.equal(error.pipeline, 'no_such_pipeline');
			return true;
		});
	});

	test('a 2 MB result rejects invoke with ResultTooLargeError: its size and the limit; the runner goes on', async () => {
		await assert.rejects(stack.client.invoke('big', {size: 2_000_000}), (error: unknown) => {
			assert.ok(error instanceof ResultTooLargeError, String(error));
			assert.equal(error.code, 'RESULT_TOO_LARGE');
			assert.equal(error.pipeline, 'big');
			assert.ok(error.sizeBytes > 2_000_000 && error.sizeBytes < 2_001_000, String(error.sizeBytes));
			assert.equal(error.limitBytes, 1_000_000);
			assert.match(error.message, /bytes encoded; the limit is 1000000 bytes/);
			assert.match(error.requestId ?? '', /^[\da-f-]{36}$/);
			return true;
		});
		assert.equal(await stack.client.invoke('big', {size: 10}), 'x'.repeat(10));
	});

	test('a raising pipeline rejects with PipelineError: remote type, message, traceback, causes', async () => {
		await assert.rejects(stack.client.invoke('fail', {message: 'bad batch 7'}), (error: unknown) => {
			assert.ok(error instanceof PipelineError);
			assert.equal(error.code, 'PIPELINE_ERROR');
			assert.match(error.remoteType, /DataError$/);
			assert.equal(error.message, 'bad batch 7');
			assert.match(error.remoteTraceback, /Traceback/);
			assert.match(error.remoteTraceback, /raise DataError\(message\) from exc/);
			assert.ok(error.causes.some(cause => cause.type.endsWith('KeyError')), JSON.stringify(error.causes));
			assert.ok(error.runner.length > 0);
			assert.ok(error.requestId);
			return true;
		});
		// The runner survived and serves the next call.
		assert.equal(await stack.client.invoke('echo', {value: 'still here'}), 'still here');
	});

	test('a division by zero is a PipelineError of type ZeroDivisionError', async () => {
		await assert.rejects(stack.client.invoke('divide', {a: 1, b: 0}), (error: unknown) => {
			assert.ok(error instanceof PipelineError);
			assert.equal(error.remoteType, 'ZeroDivisionError');
			return true;
		});
	});

	test('wrong, missing and extra arguments reject with InvalidArgumentsError; nothing runs', async () => {
		for (const args of [{}, {a: 1}, {a: 1, b: 2, c: 3}] as Array<Record<string, number>>) {
			await assert.rejects(stack.client.invoke('divide', args), (error: unknown) => {
				assert.ok(error instanceof InvalidArgumentsError, String(error));
				assert.equal(error.code, 'INVALID_ARGUMENTS');
				return true;
			});
		}
	});

	test('a slow call with a short timeout rejects with InvocationTimeoutError; the late reply is ignored quietly', async () => {
		const lines: string[] = [];
		const client = await stack.connect({logger: createLogger('debug', {}, line => lines.push(line))});
		const started = Date.now();
		await assert.rejects(client.invoke('sleep', {seconds: 1.5, value: 'late'}, {timeoutMs: 300}), (error: unknown) => {
			assert.ok(error instanceof InvocationTimeoutError);
			assert.equal(error.timeoutMs, 300);
			assert.ok(error.requestId);
			return true;
		});
		const elapsed = Date.now() - started;
		assert.ok(elapsed >= 300 && elapsed < 1400, `timed out after ${elapsed} ms`);
		// The reply still arrives later: it must be dropped at debug level and nothing else happens.
		const deadline = Date.now() + 10_000;
		while (!lines.some(line => line.includes('"reply.unmatched"')) && Date.now() < deadline) {
			await new Promise(resolve => setTimeout(resolve, 50));
		}

		const unmatched = lines.filter(line => line.includes('"reply.unmatched"'));
		assert.equal(unmatched.length, 1, lines.join('\n'));
		assert.match(unmatched[0] ?? '', /"level":"debug"/);
		assert.deepEqual(lines.filter(line => /"level":"(warn|error)"/.test(line)), []);
		assert.equal(client.pendingCount, 0);
		assert.equal(await client.invoke('echo', {value: 1}), 1);
	});

	test('an AbortSignal cancels the call with InvocationCancelledError', async () => {
		const controller = new AbortController();
		const call = stack.client.invoke('sleep', {seconds: 1}, {signal: controller.signal});
		setTimeout(() => controller.abort(), 50);
		await assert.rejects(call, InvocationCancelledError);
		await assert.rejects(stack.client.invoke('echo', {}, {signal: AbortSignal.abort()}), InvocationCancelledError);
	});

	test('names that look like code are only ever looked up, never run', async () => {
		const marker = `/tmp/mlbridge-injection-${randomBytes(6).toString('hex')}`;
		const names = [
			`__import__('os').system('touch ${marker}')`,
			`os.system('touch ${marker}')`,
			'os.system',
			'eval',
			'exec',
			'builtins.exec',
			'__builtins__',
			'echo ',
			' echo',
			'ECHO',
			'echo\n',
			'tests.fixtures.pipelines.echo',
		];
		for (const name of names) {
			await assert.rejects(stack.client.invoke(name, {value: `touch ${marker}`}), (error: unknown) => {
				assert.ok(error instanceof UnknownPipelineError, `${JSON.stringify(name)}: ${String(error)}`);
				return true;
			});
		}

		assert.equal(existsSync(marker), false);
	});

	test('1,000 concurrent invokes from one client each resolve with their own result', async () => {
		const calls = Array.from({length: 1000}, async (_, n) => stack.client.invoke('tagged', {tag: `call-${n}`, n}));
		const results = (await Promise.all(calls)) as Array<{tag: string; n: number}>;
		results.forEach((result, n) => {
			assert.equal(result.tag, `call-${n}`);
			assert.equal(result.n, n);
		});
		assert.equal(stack.client.pendingCount, 0);
	});

	test('close() rejects every pending call with ClientClosedError', async () => {
		const client = await stack.connect();
		const outcomes = [client.invoke('sleep', {seconds: 2}), client.invoke('sleep', {seconds: 2})].map(async call =>
			call.then(
				() => undefined,
				(error: unknown) => error,
			),
		);
		await client.close();
		for (const outcome of await Promise.all(outcomes)) {
			assert.ok(outcome instanceof ClientClosedError, String(outcome));
			assert.equal(outcome.code, 'CLIENT_CLOSED');
			assert.ok(outcome.requestId);
		}

		await assert.rejects(client.invoke('echo', {}), {name: 'ClientClosedError'});
	});

	test('connecting to a broker that is not there fails with BrokerUnreachableError', async () => {
		await assert.rejects(
			PipelineClient.connect({brokers: ['127.0.0.1:1'], connectTimeoutMs: 1000}),
			{name: 'BrokerUnreachableError', code: 'BROKER_UNREACHABLE'},
		);
		assert.ok(brokers.length > 0);
	});
});
