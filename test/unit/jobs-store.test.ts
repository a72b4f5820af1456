import assert from 'node:assert/strict';
import test from 'node:test';
import {createLogger} from '../../src/index.js';
import {JobStore, type JobStoreEvent} from '../../src/jobs/job-store.js';
import {BrokerUnreachableError, ClientClosedError} from '../../src/errors/index.js';
import type {Transport} from '../../src/transport/transport.js';
import {FakeTransport} from '../helpers/fake-transport.js';
import {jobRecord, runningRecord, succeededRecord, tailRecord} from '../helpers/job-records.js';

const topic = 'in.jobs.state';

function store(transport: Transport, syncTimeoutMs = 2000): JobStore {
	return new JobStore({transport, topic, groupId: 'g', logger: createLogger('silent'), syncTimeoutMs, brokers: ['fake:1']});
}

test('the newest record of a job wins; CALL records and tombstones are handled', async () => {
	const transport = new FakeTransport();
	transport.append(topic, tailRecord(jobRecord('a')));
	transport.append(topic, tailRecord(runningRecord('a', 1)));
	transport.append(topic, tailRecord(jobRecord('call-1', {subject: 'CALL', state: 'CANCEL_REQUESTED'})));
	transport.append(topic, tailRecord(jobRecord('b')));
	transport.append(topic, {key: 'b', value: null});
	transport.append(topic, {key: 'junk', value: Buffer.from('not a record')});
	const jobs = store(transport);
	await jobs.ready();
	assert.equal(jobs.get('a')?.state, 'RUNNING');
	assert.equal(jobs.get('call-1'), undefined, 'a CALL record is never a job');
	assert.equal(jobs.get('b'), undefined, 'a tombstone removes the job');
	assert.equal(jobs.size, 1);
});

test('a terminal state stays when a record written without seeing it arrives later', async () => {
	const transport = new FakeTransport();
	transport.append(topic, tailRecord(succeededRecord('a', 1)));
	transport.append(topic, tailRecord(runningRecord('a', 0, {state: 'CANCEL_REQUESTED'})));
	const jobs = store(transport);
	await jobs.ready();
	assert.equal(jobs.get('a')?.state, 'SUCCEEDED');
});

test('checkpoint bytes are not kept, only that there is one; args and result are', async () => {
	const transport = new FakeTransport();
	transport.append(topic, tailRecord(runningRecord('a', 1, {checkpoint: Buffer.alloc(10_000, 1)})));
	transport.append(topic, tailRecord(succeededRecord('b', {loss: 0.5}, {checkpoint: null})));
	const jobs = store(transport);
	await jobs.ready();
	assert.equal(jobs.get('a')?.checkpoint?.length, 0);
	assert.equal(jobs.get('b')?.checkpoint, null);
	assert.ok((jobs.get('b')?.result.length ?? 0) > 0);
	assert.ok((jobs.get('a')?.args.length ?? 0) > 0);
});

test('find() of an id the index lacks reads the topic to its end first: found, or really unknown', async () => {
	const transport = new FakeTransport({lagLogs: true});
	const jobs = store(transport);
	await jobs.ready();
	transport.append(topic, tailRecord(jobRecord('late')));
	assert.equal(jobs.get('late'), undefined, 'the tail lags behind');
	const calls = transport.tailCaughtUpCalls;
	assert.equal((await jobs.find('late'))?.state, 'QUEUED');
	assert.equal(transport.tailCaughtUpCalls, calls + 1);
	assert.equal(await jobs.find('never'), undefined);
	assert.equal(transport.tailCaughtUpCalls, calls + 2);
});

test('sync() that cannot reach the end rejects with BrokerUnreachableError, never hangs', async () => {
	const transport = new FakeTransport();
	transport.tailCaughtUp = async () => false;
	const jobs = store(transport, 50);
	await assert.rejects(jobs.sync('x'), (error: unknown) => error instanceof BrokerUnreachableError && error.requestId === 'x');
	const stuck = new FakeTransport();
	stuck.tail = async () => new Promise(() => {});
	await assert.rejects(store(stuck, 50).find('y'), BrokerUnreachableError);
});

test('list(): filter by pipeline and state, newest submitted first, limited', async () => {
	const transport = new FakeTransport();
	for (let i = 0; i < 5; i++) {
		transport.append(topic, tailRecord(jobRecord(`t${i}`, {submittedAtMs: 100 + i})));
	}

	transport.append(topic, tailRecord(runningRecord('r', 1, {submittedAtMs: 50})));
	transport.append(topic, tailRecord(jobRecord('other', {pipeline: 'predict', submittedAtMs: 500})));
	const jobs = store(transport);
	await jobs.ready();
	assert.deepEqual(jobs.list().map(r => r.id), ['other', 't4', 't3', 't2', 't1', 't0', 'r']);
	assert.deepEqual(jobs.list({pipeline: 'train', limit: 2}).map(r => r.id), ['t4', 't3']);
	assert.deepEqual(jobs.list({state: 'RUNNING'}).map(r => r.id), ['r']);
	assert.deepEqual(jobs.list({state: ['RUNNING', 'QUEUED'], pipeline: 'predict'}).map(r => r.id), ['other']);
	assert.equal(jobs.list({limit: 100}).length, 7);
});

test('watchers hear records, removal and close; unsubscribing stops them', async () => {
	const transport = new FakeTransport();
	const jobs = store(transport);
	await jobs.ready();
	const heard: JobStoreEvent['kind'][] = [];
	const unwatch = jobs.watch('a', event => heard.push(event.kind));
	const other: JobStoreEvent['kind'][] = [];
	jobs.watch('a', event => other.push(event.kind));
	transport.append(topic, tailRecord(jobRecord('a')));
	transport.append(topic, {key: 'a', value: null});
	unwatch();
	transport.append(topic, tailRecord(jobRecord('a')));
	jobs.close();
	assert.deepEqual(heard, ['record', 'removed']);
	assert.deepEqual(other, ['record', 'removed', 'record', 'closed']);
	await assert.rejects(jobs.find('a'), ClientClosedError);
});
