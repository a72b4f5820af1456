import assert from 'node:assert/strict';
import {test} from 'node:test';
import {decodeRequest, decodeValue, encodeReply, wireSchemas} from '../../src/codec/index.js';
import {
	BrokerUnreachableError,
	createLogger,
	InvalidArgumentsError,
	InvocationTimeoutError,
	PipelineClient,
	RequestTooLargeError,
	type ClientOptions,
	type InvocationProgress,
} from '../../src/index.js';
import {FakeTransport, okReply, progressReply, type FakeBehaviour} from '../helpers/fake-transport.js';

const connectionError = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {name: 'KafkaJSConnectionError'});

async function connect(behaviour: FakeBehaviour, options: ClientOptions = {}): Promise<{client: PipelineClient; transport: FakeTransport}> {
	const transport = new FakeTransport(behaviour);
	const client = await PipelineClient.connect({brokers: ['fake:1'], logger: createLogger('silent'), ...options}, async () => transport);
	return {client, transport};
}

const echo: FakeBehaviour = {answer: (_request, args) => [okReply(args)]};

test('the request carries id, name, args, reply topic, deadline and attempt', async () => {
	const {client, transport} = await connect(echo, {requestTopic: 'req'});
	const before = Date.now();
	assert.deepEqual(await client.invoke('p', {x: 1}, {timeoutMs: 5000, headers: {traceparent: 't'}}), {x: 1});
	const [{topic, message}] = transport.sent as [{topic: string; message: {key: string; value: Buffer}}];
	const request = decodeRequest(message.value);
	assert.equal(topic, 'req');
	assert.equal(message.key, request.id);
	assert.equal(request.pipeline, 'p');
	assert.equal(request.argsSchema, wireSchemas.value.ref);
	assert.deepEqual(decodeValue(request.args), {x: 1});
	assert.equal(request.replyTo, client.replyTopic);
	assert.ok(request.deadlineMs >= before + 5000 && request.deadlineMs <= Date.now() + 5000);
	assert.equal(request.attempt, 1);
	assert.deepEqual(request.headers, {traceparent: 't'});
	await client.close();
	assert.deepEqual(transport.closedWith, [client.replyTopic]);
});

test('an idempotency key becomes a header and the message key', async () => {
	const {client, transport} = await connect(echo);
	await client.invoke('p', {}, {idempotencyKey: 'order-42'});
	const {message} = transport.sent[0]!;
	assert.equal(message.key, 'order-42');
	assert.equal(decodeRequest(message.value).headers['idempotency-key'], 'order-42');
	await assert.rejects(client.invoke('p', {}, {idempotencyKey: ''}), TypeError);
	await client.close();
});

test('a duplicate reply settles nothing twice; progress reaches onProgress first', async () => {
	const {client} = await connect({answer: (_r, args) => [progressReply(1, 3, 'epoch 1'), progressReply(2, null, 'epoch 2'), okReply(args), okReply('second')]});
	const progress: InvocationProgress[] = [];
	const result = await client.invoke('train', {n: 1}, {onProgress: p => progress.push(p)});
	assert.deepEqual(result, {n: 1});
	assert.deepEqual(progress.map(p => [p.current, p.total, p.message]), [[1, 3, 'epoch 1'], [2, undefined, 'epoch 2']]);
	await new Promise(resolve => setImmediate(resolve));
	assert.equal(client.pendingCount, 0);
	await client.close();
});

test('"fail": an unreachable broker rejects at once with BrokerUnreachableError', async () => {
	const {client} = await connect({failSend: () => connectionError}, {whenBrokerDown: 'fail'});
	await assert.rejects(client.invoke('p', {}), (error: unknown) => {
		assert.ok(error instanceof BrokerUnreachableError);
		assert.ok(error.requestId);
		assert.equal(error.cause, connectionError);
		return true;
	});
	assert.equal(client.pendingCount, 0);
	await client.close();
});

test('"wait": sends are retried until the broker is back', async () => {
	const {client, transport} = await connect({...echo, failSend: attempt => (attempt <= 3 ? connectionError : undefined)});
	assert.deepEqual(await client.invoke('p', {v: 'x'}, {timeoutMs: 10_000}), {v: 'x'});
	assert.equal(transport.sent.length, 1);
	await client.close();
});

test('"wait" never outlives the deadline: InvocationTimeoutError, and retries stop', async () => {
	let attempts = 0;
	const {client} = await connect({failSend: () => {
		attempts++;
		return connectionError;
	}});
	const started = Date.now();
	await assert.rejects(client.invoke('p', {}, {timeoutMs: 400}), InvocationTimeoutError);
	assert.ok(Date.now() - started < 1500);
	const seen = attempts;
	await new Promise(resolve => setTimeout(resolve, 2500));
	assert.equal(attempts, seen, 'kept retrying after the deadline');
	await client.close();
});

test('a request over the size limit fails before anything is sent', async () => {
	const {client, transport} = await connect(echo, {maxRequestBytes: 1000});
	await assert.rejects(client.invoke('p', {blob: Buffer.alloc(2000)}), (error: unknown) => {
		assert.ok(error instanceof RequestTooLargeError);
		assert.equal(error.limitBytes, 1000);
		assert.ok(error.sizeBytes > 2000);
		return true;
	});
	assert.equal(transport.sent.length, 0);
	assert.deepEqual(await client.invoke('p', {small: 1}), {small: 1});
	await client.close();
});

test('the topic limit reported by the broker is used when none is configured', async () => {
	const {client} = await connect({...echo, maxMessageBytes: 500});
	await assert.rejects(client.invoke('p', {blob: 'x'.repeat(600)}), RequestTooLargeError);
	await client.close();
});

test('bad arguments and options are typed errors before sending', async () => {
	const {client, transport} = await connect(echo);
	await assert.rejects(client.invoke('p', [1, 2] as never), InvalidArgumentsError);
	await assert.rejects(client.invoke('p', 'text' as never), InvalidArgumentsError);
	await assert.rejects(client.invoke('', {}), TypeError);
	await assert.rejects(client.invoke('p', {}, {timeoutMs: -1}), TypeError);
	await assert.rejects(client.invoke('p', {s: '\uD800'}), InvalidArgumentsError);
	assert.equal(transport.sent.length, 0);
	assert.deepEqual(await client.invoke('p', undefined as never), {});
	await client.close();
});

test('an undecodable reply is logged at warn and does not settle or break other calls', async () => {
	const lines: string[] = [];
	const transport = new FakeTransport({});
	const client = await PipelineClient.connect({brokers: ['fake:1'], logger: createLogger('warn', {}, l => lines.push(l))}, async () => transport);
	const call = client.invoke('p', {}, {timeoutMs: 5000});
	await new Promise(resolve => setImmediate(resolve));
	const {message} = transport.sent[0]!;
	const id = decodeRequest(message.value).id;
	// Garbage, a truncated reply and a reply for nobody, then the real one.
	const good = encodeReply({...okReply('fine'), id});
	transport.deliverRaw(Buffer.from('nonsense'));
	transport.deliverRaw(good.subarray(0, good.length - 3));
	transport.deliver({...okReply('other'), id: 'not-a-pending-id'});
	assert.equal(client.pendingCount, 1);
	transport.deliver({...okReply('fine'), id});
	assert.equal(await call, 'fine');
	await client.close();
	const warnings = lines.map(line => JSON.parse(line) as {event: string; level: string});
	assert.deepEqual(warnings.map(w => [w.event, w.level]), [['reply.undecodable', 'warn'], ['reply.undecodable', 'warn']]);
});

test('connect: a leaderless partition (a node restarting) is retried, not reported as an unreachable broker', async () => {
	const leaderless = Object.assign(new Error('This server does not host this topic-partition'), {type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true});
	let opened = 0;
	const transport = new FakeTransport(echo);
	const client = await PipelineClient.connect({brokers: ['fake:1'], logger: createLogger('silent'), connectTimeoutMs: 5000}, async () => {
		opened++;
		if (opened === 1) {
			throw leaderless;
		}

		return transport;
	});
	assert.equal(opened, 2);
	assert.deepEqual(await client.invoke('p', {x: 1}), {x: 1});
	await client.close();
});

test('connect: other failures and transient ones past connectTimeoutMs reject with BrokerUnreachableError', async () => {
	let opened = 0;
	await assert.rejects(PipelineClient.connect({brokers: ['fake:1'], logger: createLogger('silent')}, async () => {
		opened++;
		throw connectionError;
	}), BrokerUnreachableError);
	assert.equal(opened, 1, 'a refused connection is not retried by connect() itself');
	const leaderless = Object.assign(new Error('leader not available'), {type: 'LEADER_NOT_AVAILABLE'});
	const started = Date.now();
	await assert.rejects(PipelineClient.connect({brokers: ['fake:1'], logger: createLogger('silent'), connectTimeoutMs: 600}, async () => {
		throw leaderless;
	}), (error: unknown) => error instanceof BrokerUnreachableError && error.cause === leaderless);
	assert.ok(Date.now() - started < 3000);
});
