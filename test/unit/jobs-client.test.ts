/**
 * PipelineClient's job API over a fake transport: what submit writes and in which order, duplicate
 * ids, reattach, listing, the cancellation protocol, the CALL record of an aborted invoke, close().
 */
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {decodeRequest, decodeValue, wireSchemas} from '../../src/codec/index.js';
import {TypedSchema} from '../../src/contract/typed-codec.js';
import {
	ClientClosedError,
	createLogger,
	InvalidArgumentsError,
	InvocationCancelledError,
	JobNotFoundError,
	PipelineClient,
	RequestTooLargeError,
	type ClientOptions,
	type JobProgressEvent,
	type PipelineTypes,
} from '../../src/index.js';
import {decodeJobRecord, type JobRecord} from '../../src/jobs/job-record.js';
import {FakeTransport, type FakeBehaviour} from '../helpers/fake-transport.js';
import {contractV1, type PipelinesV1} from '../helpers/typed-contracts.js';
import {jobRecord, runningRecord, succeededRecord, tailRecord} from '../helpers/job-records.js';

const stateTopic = 'ml.pipeline.input.jobs.state';
const jobTopic = 'ml.pipeline.input.jobs';

async function connect<P extends PipelineTypes>(behaviour: FakeBehaviour = {}, options: ClientOptions<P> = {}): Promise<{client: PipelineClient<P>; transport: FakeTransport}> {
	const transport = new FakeTransport(behaviour);
	const client = await PipelineClient.connect<P>({brokers: ['fake:1'], logger: createLogger('silent'), clientId: 'c-me', ...options}, async () => transport);
	return {client, transport};
}

function written(transport: FakeTransport): Array<{topic: string; record?: JobRecord; request?: ReturnType<typeof decodeRequest>}> {
	return transport.sent.map(({topic, message}) => (topic === stateTopic
		? {topic, record: decodeJobRecord(message.value)}
		: {topic, request: decodeRequest(message.value)}));
}

test('submit writes QUEUED to the state topic, then the request to the job topic; result() follows the state', async () => {
	const {client, transport} = await connect();
	const before = Date.now();
	const progress: JobProgressEvent[] = [];
	const job = await client.submit('train', {epochs: 2}, {jobId: 'train-1', headers: {traceparent: 't'}, maxAttempts: 5, onProgress: p => progress.push(p)});
	assert.equal(job.id, 'train-1');
	assert.equal(job.pipeline, 'train');
	const [queued, request, ...rest] = written(transport);
	assert.equal(rest.length, 0);
	assert.equal(queued?.topic, stateTopic);
	assert.equal(transport.sent[0]?.message.key, 'train-1');
	assert.equal(queued?.record?.state, 'QUEUED');
	assert.equal(queued?.record?.subject, 'JOB');
	assert.equal(queued?.record?.attempt, 0);
	assert.equal(queued?.record?.maxAttempts, 5);
	assert.equal(queued?.record?.runner, '');
	assert.equal(queued?.record?.submittedBy, 'c-me');
	assert.ok(queued!.record!.submittedAtMs >= before);
	assert.deepEqual(decodeValue(queued!.record!.args), {epochs: 2});
	assert.equal(request?.topic, jobTopic);
	assert.equal(transport.sent[1]?.message.key, 'train-1');
	assert.equal(request?.request?.id, 'train-1');
	assert.equal(request?.request?.replyTo, '');
	assert.equal(request?.request?.deadlineMs, 0);
	assert.equal(request?.request?.attempt, 1);
	assert.equal(request?.request?.argsSchema, wireSchemas.value.ref);
	assert.deepEqual(request?.request?.headers, {traceparent: 't', 'mlbridge-max-attempts': '5'});
	assert.equal((await job.status()).state, 'QUEUED', 'its own write is seen at once');

	transport.append(stateTopic, tailRecord(runningRecord('train-1', 1)));
	transport.append(stateTopic, tailRecord(succeededRecord('train-1', {loss: 0.1}, {progressSeq: 2, progress: {current: 2, total: 2, message: 'done', atMs: 1}})));
	assert.deepEqual(await job.result(), {loss: 0.1});
	assert.deepEqual(progress.map(p => p.seq), [1, 2]);
	await client.close();
});

test('submitting an existing job id returns that job and writes nothing', async () => {
	const {client, transport} = await connect({lagLogs: true});
	transport.append(stateTopic, tailRecord(runningRecord('dup', 1, {pipeline: 'fit'})));
	const job = await client.submit('train', {}, {jobId: 'dup'});
	assert.equal(transport.sent.length, 0);
	assert.equal(job.pipeline, 'fit', 'the handle is on the existing job');
	assert.equal((await job.status()).state, 'RUNNING');
	const again = await client.submit('train', {}, {jobId: 'new'});
	assert.equal((await client.submit('train', {}, {jobId: 'new'})).id, again.id);
	assert.equal(transport.sent.length, 2, 'one QUEUED and one request for "new", nothing for the repeat');
	await client.close();
});

test('submit refuses bad ids, bad attempts, bad and oversized arguments before writing anything', async () => {
	const {client, transport} = await connect({maxMessageBytes: 2000});
	for (const jobId of ['', 'a b', 'x'.repeat(201), 'é']) {
		await assert.rejects(client.submit('train', {}, {jobId}), TypeError, jobId);
	}

	await assert.rejects(client.submit('train', {}, {maxAttempts: 0}), TypeError);
	await assert.rejects(client.submit('train', {when: new Date()} as never, {jobId: 'bad-args'}), (error: unknown) => error instanceof InvalidArgumentsError && error.requestId === 'bad-args');
	await assert.rejects(client.submit('train', {blob: 'x'.repeat(5000)}, {jobId: 'big'}), (error: unknown) => error instanceof RequestTooLargeError && error.requestId === 'big');
	assert.equal(transport.sent.length, 0);
	await client.close();
});

test('typed pipelines: arguments checked and written with the contract schema, the result read typed', async () => {
	const {client, transport} = await connect<PipelinesV1>({}, {contract: contractV1()});
	await assert.rejects(client.submit('typed_add', {a: 'x'} as never), InvalidArgumentsError);
	assert.equal(transport.sent.length, 0);
	const job = await client.submit('typed_add', {a: 2, b: 3}, {jobId: 'add-1'});
	const argsSchema = TypedSchema.compile(contractV1().pipelines.typed_add.argsSchema!);
	assert.equal(decodeRequest(transport.sent[1]!.message.value).argsSchema, argsSchema.ref);
	const resultSchema = TypedSchema.compile(contractV1().pipelines.typed_add.resultSchema!);
	transport.append(stateTopic, tailRecord(succeededRecord('add-1', 0, {pipeline: 'typed_add', result: resultSchema.encode(5), resultSchema: resultSchema.ref})));
	const result: number = await job.result();
	assert.equal(result, 5);
	await client.close();
});

test('job(id) reattaches after reading the topic to its end; an unknown id is JobNotFoundError', async () => {
	const {client, transport} = await connect({lagLogs: true});
	transport.append(stateTopic, tailRecord(succeededRecord('elsewhere', [1, 2])));
	const job = await client.job('elsewhere');
	assert.deepEqual(await job.result(), [1, 2]);
	transport.append(stateTopic, tailRecord(succeededRecord('empty', null, {result: Buffer.alloc(0), resultSchema: ''})));
	assert.equal(await (await client.job('empty')).result(), null, 'no result schema: no result');
	await assert.rejects(client.job('nobody'), (error: unknown) => error instanceof JobNotFoundError && error.jobId === 'nobody' && error.requestId === 'nobody');
	await client.close();
});

test('jobs() lists with a filter, newest first', async () => {
	const {client, transport} = await connect();
	transport.append(stateTopic, tailRecord(jobRecord('old', {submittedAtMs: 1})));
	transport.append(stateTopic, tailRecord(runningRecord('mid', 1, {submittedAtMs: 2})));
	transport.append(stateTopic, tailRecord(jobRecord('new', {submittedAtMs: 3, pipeline: 'other'})));
	assert.deepEqual((await client.jobs()).map(j => j.id), ['new', 'mid', 'old']);
	assert.deepEqual((await client.jobs({state: 'RUNNING'})).map(j => j.id), ['mid']);
	assert.deepEqual((await client.jobs({pipeline: 'train', limit: 1})).map(j => j.id), ['mid']);
	await assert.rejects(client.jobs({limit: 0}), TypeError);
	await client.close();
});

test('cancel: queued → CANCELLED, running → CANCEL_REQUESTED, finished → unchanged, unknown → JobNotFoundError', async () => {
	const {client, transport} = await connect();
	transport.append(stateTopic, tailRecord(jobRecord('q')));
	transport.append(stateTopic, tailRecord(runningRecord('r', 3, {checkpoint: Buffer.from('c')})));
	transport.append(stateTopic, tailRecord(succeededRecord('s', 1)));

	const queued = await client.cancel('q');
	assert.equal(queued.state, 'CANCELLED');
	assert.equal(queued.error?.code, 'CANCELLED');
	assert.equal(queued.error?.type, 'JobCancelled');
	assert.equal(queued.error?.message, 'cancelled while queued');
	const [cancelled] = written(transport);
	assert.equal(cancelled?.record?.state, 'CANCELLED');
	assert.ok(cancelled!.record!.finishedAtMs > 0);

	const running = await client.cancel('r');
	assert.equal(running.state, 'CANCEL_REQUESTED');
	const requested = written(transport)[1]?.record;
	assert.equal(requested?.state, 'CANCEL_REQUESTED');
	assert.equal(requested?.runner, 'r-1', 'a copy of the record it read');
	assert.equal(requested?.progressSeq, 3);

	const sent = transport.sent.length;
	assert.equal((await client.cancel('s')).state, 'SUCCEEDED');
	assert.equal((await client.cancel('q')).state, 'CANCELLED');
	assert.equal(transport.sent.length, sent, 'nothing written for a finished job');
	await assert.rejects(client.cancel('nope'), JobNotFoundError);

	const job = await client.job('q');
	await assert.rejects(job.result(), (error: unknown) => (error as Error).name === 'JobCancelledError');
	await client.close();
});

test('aborting a plain invoke writes a CALL cancellation for its request id', async () => {
	const {client, transport} = await connect();
	const controller = new AbortController();
	const call = client.invoke('slow', {}, {signal: controller.signal});
	await new Promise(resolve => setImmediate(resolve));
	const requestId = decodeRequest(transport.sent[0]!.message.value).id;
	controller.abort();
	await assert.rejects(call, InvocationCancelledError);
	await new Promise(resolve => setImmediate(resolve));
	const cancel = transport.sent.find(s => s.topic === stateTopic);
	assert.ok(cancel, 'a record reached the state topic');
	assert.equal(cancel.message.key, requestId);
	const record = decodeJobRecord(cancel.message.value);
	assert.equal(record.subject, 'CALL');
	assert.equal(record.state, 'CANCEL_REQUESTED');
	assert.equal(record.id, requestId);
	assert.equal(record.pipeline, 'slow');
	assert.deepEqual(await client.jobs(), [], 'a CALL record is never listed as a job');
	await client.close();
});

test('close() rejects pending results with ClientClosedError; the job API after close too', async () => {
	const {client} = await connect();
	const job = await client.submit('train', {});
	const pending = job.result();
	await client.close();
	await assert.rejects(pending, ClientClosedError);
	await assert.rejects(client.submit('train', {}), ClientClosedError);
	await assert.rejects(client.job(job.id), ClientClosedError);
});

test('connect creates the job topics with the others', async () => {
	const transport = new FakeTransport();
	const specs: string[] = [];
	transport.ensureTopics = async list => {
		specs.push(...list.map(s => `${s.topic}:${s.numPartitions}:${s.config?.['cleanup.policy'] ?? ''}`));
	};

	const client = await PipelineClient.connect({brokers: ['fake:1'], logger: createLogger('silent'), requestTopic: 'req', jobRetentionMs: 3_600_000}, async () => transport);
	assert.ok(specs.includes('req.jobs:6:delete'), specs.join());
	assert.ok(specs.includes('req.jobs.state:6:compact,delete'), specs.join());
	await client.close();
});

