import assert from 'node:assert/strict';
import test from 'node:test';
import {decodeValue} from '../../src/codec/index.js';
import {
	ClientClosedError,
	createLogger,
	InvocationTimeoutError,
	JobAttemptsExhaustedError,
	JobCancelledError,
	JobNotFoundError,
	PipelineError,
	ResultTooLargeError,
	type JobProgressEvent,
} from '../../src/index.js';
import {Job} from '../../src/jobs/job-handle.js';
import {toJobStatus} from '../../src/jobs/job-status.js';
import {JobStore} from '../../src/jobs/job-store.js';
import {FakeTransport} from '../helpers/fake-transport.js';
import {failedRecord, jobRecord, runningRecord, succeededRecord, tailRecord} from '../helpers/job-records.js';

const topic = 'in.jobs.state';

async function setup(): Promise<{transport: FakeTransport; store: JobStore; job: Job<unknown>}> {
	const transport = new FakeTransport();
	transport.append(topic, tailRecord(jobRecord('j')));
	const store = new JobStore({transport, topic, groupId: 'g', logger: createLogger('silent'), syncTimeoutMs: 1000, brokers: ['fake:1']});
	await store.ready();
	const job = new Job<unknown>('j', 'train', {
		store,
		readResult: async record => decodeValue(record.result),
		readArgs: async record => decodeValue(record.args),
		cancel: async id => toJobStatus(store.get(id)!),
	});
	return {transport, store, job};
}

test('result() resolves with the result once the job SUCCEEDED, also when it already had', async () => {
	const {transport, job} = await setup();
	const result = job.result();
	transport.append(topic, tailRecord(runningRecord('j', 1)));
	transport.append(topic, tailRecord(succeededRecord('j', {loss: 0.25})));
	assert.deepEqual(await result, {loss: 0.25});
	assert.deepEqual(await job.result(), {loss: 0.25}, 'a finished job answers at once');
});

test('result() rejects with the typed error of each failure, carrying the job id', async () => {
	const cases: Array<[string, new (...args: never[]) => Error]> = [
		['PIPELINE_ERROR', PipelineError],
		['CANCELLED', JobCancelledError],
		['JOB_ATTEMPTS_EXHAUSTED', JobAttemptsExhaustedError],
		['RESULT_TOO_LARGE', ResultTooLargeError],
	];
	for (const [code, ErrorClass] of cases) {
		const {transport, job} = await setup();
		const result = job.result();
		transport.append(topic, tailRecord(failedRecord('j', code, {attempt: 4, maxAttempts: 3})));
		await assert.rejects(result, (error: unknown) => {
			assert.ok(error instanceof ErrorClass, `${code}: ${String(error)}`);
			assert.equal((error as {requestId?: string}).requestId, 'j');
			assert.equal((error as {code?: string}).code, code);
			return true;
		});
	}

	const {transport, job} = await setup();
	transport.append(topic, tailRecord(failedRecord('j', 'JOB_ATTEMPTS_EXHAUSTED', {attempt: 3, maxAttempts: 3})));
	await assert.rejects(job.result(), (error: unknown) => {
		assert.ok(error instanceof JobAttemptsExhaustedError);
		assert.equal(error.jobId, 'j');
		assert.equal(error.attempts, 3);
		assert.equal(error.maxAttempts, 3);
		return true;
	});
	const fresh = await setup();
	fresh.transport.append(topic, tailRecord(failedRecord('j', 'CANCELLED', {runner: '', error: {code: 'CANCELLED', type: 'JobCancelled', message: 'cancelled while queued', traceback: '', retryable: false, causes: []}})));
	await assert.rejects(fresh.job.result(), (error: unknown) => {
		assert.ok(error instanceof JobCancelledError);
		assert.equal(error.jobId, 'j');
		assert.equal(error.reason, 'cancelled while queued');
		assert.equal(error.runner, '');
		return true;
	});
});

test('result() never hangs: its own timeout, its signal, the job vanishing, close()', async () => {
	const {transport, store, job} = await setup();
	await assert.rejects(job.result({timeoutMs: 20}), (error: unknown) => error instanceof InvocationTimeoutError && error.requestId === 'j');
	const controller = new AbortController();
	const aborted = job.result({signal: controller.signal});
	controller.abort(new Error('stop waiting'));
	await assert.rejects(aborted, /stop waiting/);
	const removed = job.result();
	transport.append(topic, {key: 'j', value: null});
	await assert.rejects(removed, JobNotFoundError);
	transport.append(topic, tailRecord(jobRecord('j')));
	const closed = job.result();
	store.close();
	await assert.rejects(closed, ClientClosedError);
	await assert.rejects(job.result(), ClientClosedError, 'after close, at once');
	await assert.rejects(job.result({timeoutMs: 0}), TypeError);
	await assert.rejects(job.result({timeoutMs: 30 * 24 * 3_600_000}), TypeError, 'longer than a timer can wait');
});

test('progress yields each report once, in order, from the moment of iteration, and ends at terminal', async () => {
	const {transport, job} = await setup();
	transport.append(topic, tailRecord(runningRecord('j', 1)));
	const seen: JobProgressEvent[] = [];
	const done = (async () => {
		for await (const event of job.progress) {
			seen.push(event);
		}
	})();
	transport.append(topic, tailRecord(runningRecord('j', 1, {heartbeatAtMs: 5_000})));
	transport.append(topic, tailRecord(runningRecord('j', 2)));
	transport.append(topic, tailRecord(runningRecord('j', 2, {heartbeatAtMs: 6_000})));
	transport.append(topic, tailRecord(runningRecord('j', 4)));
	transport.append(topic, tailRecord(succeededRecord('j', 1, {progressSeq: 5, progress: {current: 10, total: 10, message: 'done', atMs: 9}})));
	await done;
	assert.deepEqual(seen.map(e => [e.seq, e.current, e.message]), [[2, 2, 'step 2'], [4, 4, 'step 4'], [5, 10, 'done']]);
	assert.equal(seen[0]?.jobId, 'j');
	assert.equal(seen[0]?.total, 10);
	const after: JobProgressEvent[] = [];
	for await (const event of job.progress) {
		after.push(event);
	}

	assert.deepEqual(after, [], 'a finished job has no more progress');
});

test('leaving a progress loop early detaches it; a second iterator is independent', async () => {
	const {transport, store, job} = await setup();
	const active = new Set<object>();
	const watch = store.watch.bind(store);
	store.watch = (id, listener) => {
		const token = {};
		active.add(token);
		const unwatch = watch(id, listener);
		return () => {
			active.delete(token);
			unwatch();
		};
	};

	const first: number[] = [];
	const second: number[] = [];
	const both = Promise.all([
		(async () => {
			for await (const event of job.progress) {
				first.push(event.seq);
				break;
			}
		})(),
		(async () => {
			for await (const event of job.progress) {
				second.push(event.seq);
			}
		})(),
	]);
	assert.equal(active.size, 2);
	transport.append(topic, tailRecord(runningRecord('j', 1)));
	await new Promise(resolve => setImmediate(resolve));
	assert.equal(active.size, 1, 'the loop that broke is detached');
	transport.append(topic, tailRecord(runningRecord('j', 2)));
	transport.append(topic, tailRecord(succeededRecord('j', 1, {progressSeq: 2})));
	await both;
	assert.deepEqual(first, [1]);
	assert.deepEqual(second, [1, 2]);
	assert.equal(active.size, 0, 'a loop that ended at terminal is detached');
});

test('status() is the current snapshot', async () => {
	const {transport, job} = await setup();
	transport.append(topic, tailRecord(runningRecord('j', 3, {checkpoint: Buffer.from('c')})));
	const status = await job.status();
	assert.equal(status.state, 'RUNNING');
	assert.equal(status.runner, 'r-1');
	assert.equal(status.attempt, 1);
	assert.deepEqual(status.progress, {current: 3, total: 10, message: 'step 3', atMs: 2_003});
	assert.equal(status.hasCheckpoint, true);
	assert.equal(status.error, undefined);
	transport.append(topic, {key: 'j', value: null});
	await assert.rejects(job.status(), JobNotFoundError);
});
