/**
 * Schema evolution with real runners: typed_pipelines.py (v1) and typed_pipelines_v2.py (v2: an
 * added optional parameter and an added optional result field per pipeline) in the SAME consumer
 * group, side by side. Clients pinned to v1 and to v2 make many calls that land on both runners;
 * each client's test shows, by the pids answering its typed_pid calls, that both runners served it.
 *
 * Envelope versions (schemas/versions/, docs/protocol.md §14): one runner; a client of today's
 * request version and raw producers writing the older (v0) and newer (v2) versions, all answered;
 * a request of a version nobody knows answered UNSUPPORTED_ENVELOPE (and dead-lettered), not left to
 * time out.
 */
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import avsc from 'avsc';
import type {Schema} from 'avsc';
import {Kafka, logLevel, type IHeaders} from 'kafkajs';
import {decodeReply, decodeValue, encodeValue, fingerprint, frame, type ReplyEnvelope, wireSchemas} from '../../src/codec/index.js';
import {encodeVersion, envelopeVersions} from '../../src/codec/envelope-versions.js';
import {errorFromReply, UnsupportedEnvelopeError} from '../../src/errors/index.js';
import {brokers, createStack, type Stack} from '../helpers/harness.js';
import type {PipelineClient, UntypedPipelines} from '../../src/index.js';
import {contractV1, contractV2, type EchoArgs, type PipelinesV1, type PipelinesV2} from '../helpers/typed-contracts.js';
import {createTypedStack, typedPipelinesV1, typedPipelinesV2, type TypedStack} from '../helpers/typed-stack.js';

const CALLS = 24;
/** typed_pid calls per check: each has a random request id as its key, spread over the 4
 * partitions the two runners share, so all of them landing on one runner is ~2^-31. */
const PID_CALLS = 32;

const echoArgs: EchoArgs = {
	i: 7, f: 0.5, s: 's', b: false, raw: Buffer.from('r'), day: new Date('2024-01-02T00:00:00Z'),
	at: new Date(1_700_000_000_000), optimizer: 'SGD', maybe: null, either: 3, items: ['x'], scores: {k: 1},
};

describe('v1 and v2 runners in one group, v1 and v2 clients', {timeout: 180_000}, () => {
	let stack: TypedStack;
	let v1: PipelineClient<PipelinesV1>;
	let v2: PipelineClient<PipelinesV2>;
	let latest: PipelineClient<UntypedPipelines>;
	let pids: number[];

	before(async () => {
		stack = createTypedStack('evolution');
		const first = await stack.startRunner(typedPipelinesV1);
		const second = await stack.startRunner(typedPipelinesV2);
		pids = [first.pid!, second.pid!];
		v1 = await stack.connect({contract: contractV1()});
		v2 = await stack.connect({contract: contractV2()});
		latest = await stack.connect();
	});

	after(async () => {
		await stack.close();
	});

	/** The pids (runner processes, thread isolation) that answered `client`'s typed_pid calls. */
	async function answeringPids(client: PipelineClient<PipelinesV1> | PipelineClient<PipelinesV2>): Promise<number[]> {
		const answers = await Promise.all(Array.from({length: PID_CALLS}, async () => client.invoke('typed_pid', {})));
		return [...new Set(answers)].sort();
	}

	test('each client\'s calls land on both runners', async () => {
		assert.deepEqual(await answeringPids(v1), [...pids].sort(), 'v1 client');
		assert.deepEqual(await answeringPids(v2), [...pids].sort(), 'v2 client');
	});

	test('the catalogue lists both versions; the newest is 2', async () => {
		const add = await latest.describe('typed_add');
		assert.deepEqual(add.versions, [1, 2]);
		assert.equal(add.version, 2);
		assert.equal((await v1.describe('typed_add')).version, 2, 'describe reports the catalogue, whatever the contract pins');
	});

	test('a v1 client gets v1 results from both runners (v2 fills the new parameter\'s default, v1 reads past the new field)', async () => {
		// Sent together with the calls below, so the same partitions (hence both runners) take them.
		const answeredBy = answeringPids(v1);
		const adds = await Promise.all(Array.from({length: CALLS}, async (_, i) => v1.invoke('typed_add', {a: i, b: 100})));
		assert.deepEqual(adds, Array.from({length: CALLS}, (_, i) => i + 100));

		const echoes = await Promise.all(Array.from({length: CALLS}, async (_, i) => v1.invoke('typed_echo', {...echoArgs, i})));
		echoes.forEach((echo, i) => assert.deepStrictEqual(echo, {...echoArgs, i, nothing: null}));

		const trains = await Promise.all(Array.from({length: CALLS}, async (_, i) => v1.invoke('typed_train', {dataset: `d${i}`, config: {epochs: 2}})));
		trains.forEach((train, i) => {
			assert.deepStrictEqual(Object.keys(train).sort(), ['history', 'metrics', 'mode', 'model_id', 'tags', 'trained_at']);
			assert.equal(train.model_id, `d${i}-adam-2`);
		});

		const weighs = await Promise.all(Array.from({length: CALLS}, async () => v1.invoke('typed_weigh', {samples: [{label: 'a', weight: 2}]})));
		for (const weigh of weighs) assert.deepStrictEqual(weigh, {a: 2});
		assert.deepEqual(await answeredBy, [...pids].sort(), 'the v1 client\'s calls were answered by both the v1 and the v2 runner');
	});

	test('a v2 client: a new parameter is never dropped (the v1 runner hands such calls to the v2 runner); calls without it are answered by either', async () => {
		const answeredBy = answeringPids(v2);
		const adds = await Promise.all(Array.from({length: CALLS}, async (_, i) => v2.invoke('typed_add', {a: i, b: 100, c: 1000})));
		assert.deepEqual(adds, Array.from({length: CALLS}, (_, i) => i + 1100));

		const echoes = await Promise.all(Array.from({length: CALLS}, async (_, i) => v2.invoke('typed_echo', {...echoArgs, i, note: `n${i}`})));
		echoes.forEach((echo, i) => assert.deepStrictEqual(echo, {...echoArgs, i, nothing: null, note: `n${i}`}));

		const trains = await Promise.all(Array.from({length: CALLS}, async (_, i) => v2.invoke('typed_train', {dataset: 'd', config: {epochs: 1}, seed: i})));
		trains.forEach((train, i) => {
			assert.equal(train.notes, `seed ${i}`);
			assert.equal(train.model_id, 'd-adam-1');
		});

		// Calls without the new parameters (or with them at their defaults) get the same answer from either runner.
		const plain = await Promise.all(Array.from({length: CALLS}, async (_, i) => v2.invoke('typed_add', {a: i, b: 1})));
		assert.deepEqual(plain, Array.from({length: CALLS}, (_, i) => i + 1));
		const weighs = await Promise.all(Array.from({length: CALLS}, async () => v2.invoke('typed_weigh', {samples: [{weight: 3}], scale: 1})));
		for (const weigh of weighs) assert.deepStrictEqual(weigh, {'?': 3});
		assert.deepEqual(await answeredBy, [...pids].sort(), 'the v2 client\'s calls were answered by both the v1 and the v2 runner');
	});

	test('a client without a contract encodes with the newest catalogue version and reads what either runner wrote', async () => {
		const results = await Promise.all(Array.from({length: CALLS}, async (_, i) => latest.invoke('typed_echo', {...echoArgs, i} as never)));
		results.forEach((echo, i) => {
			const value = echo as unknown as Record<string, unknown>;
			assert.equal(value['i'], i);
			// Read as the newest catalogue result schema (v2): a v1 runner's answer gets note's default.
			assert.equal(value['note'], null);
		});
	});
});

describe('envelope versions: one runner, clients of the older, current and newer request version', {timeout: 120_000}, () => {
	let stack: Stack;
	let kafka: Kafka;
	let admin: ReturnType<Kafka['admin']>;
	let consumer: ReturnType<Kafka['consumer']>;
	let producer: ReturnType<Kafka['producer']>;
	let replyTo: string;
	let dlqTopic: string;
	const replies = new Map<string, ReplyEnvelope>();
	const deadLetters = new Map<string, IHeaders>();

	before(async () => {
		stack = await createStack('envelope-versions', {runners: 1});
		replyTo = `${stack.requestTopic}.raw-replies`;
		dlqTopic = `${stack.requestTopic}.dlq`;
		kafka = new Kafka({clientId: 'mlbridge-envelope-versions', brokers, logLevel: logLevel.NOTHING});
		admin = kafka.admin();
		await admin.connect();
		await admin.createTopics({topics: [{topic: replyTo, numPartitions: 1}, {topic: dlqTopic, numPartitions: 1}], waitForLeaders: true});
		consumer = kafka.consumer({groupId: `${stack.requestTopic}.observer`});
		await consumer.connect();
		await consumer.subscribe({topics: [replyTo, dlqTopic], fromBeginning: true});
		await consumer.run({
			async eachMessage({topic, message}) {
				if (topic === replyTo) {
					const reply = decodeReply(message.value!);
					replies.set(reply.id, reply);
				} else {
					deadLetters.set(message.key?.toString() ?? '?', message.headers ?? {});
				}
			},
		});
		producer = kafka.producer({allowAutoTopicCreation: false});
		await producer.connect();
	});

	after(async () => {
		await producer?.disconnect();
		await consumer?.disconnect();
		await admin?.deleteTopics({topics: [replyTo, dlqTopic], timeout: 5000}).catch(() => {});
		await admin?.disconnect();
		await stack?.close();
	});

	async function waitFor<T>(what: string, get: () => T | undefined, ms = 30_000): Promise<T> {
		const until = Date.now() + ms;
		for (;;) {
			const found = get();
			if (found !== undefined) return found;
			if (Date.now() > until) throw new Error(`no ${what} within ${ms} ms`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	}

	/** An `echo` call as a request of `version`, fields of that version included. */
	function request(id: string, version: number, value: string): Buffer {
		const fields = {
			id, pipeline: 'echo', args: encodeValue({value}), argsSchema: wireSchemas.value.ref, replyTo,
			deadlineMs: 0, attempt: 1, sentAtMs: Date.now(),
		};
		const extra = version === 0 ? {} : version === 1 ? {headers: {}} : {headers: {'x-from': 'v2'}, priority: 3};
		return encodeVersion('request', version, {...fields, ...extra});
	}

	test('requests of versions 0 (older), 1 (today\'s, by the client) and 2 (newer) are all answered by the one runner', async () => {
		assert.equal(envelopeVersions.request.current.version, 1);
		const ids = {v0: `v0-${Date.now()}`, v2: `v2-${Date.now()}`};
		await producer.send({topic: stack.requestTopic, messages: [
			{key: ids.v0, value: request(ids.v0, 0, 'from v0')},
			{key: ids.v2, value: request(ids.v2, 2, 'from v2')},
		]});
		const current = await stack.client.invoke('echo', {value: 'from v1'});
		assert.equal(current, 'from v1');
		for (const [version, id] of Object.entries(ids)) {
			const reply = await waitFor(`reply to the ${version} request`, () => replies.get(id));
			assert.equal(reply.status, 'OK', `${version}: ${reply.error?.message}`);
			assert.equal(decodeValue(reply.result), `from ${version}`);
			assert.equal(reply.runner, replies.get(ids.v0)!.runner, 'the same runner answered');
		}
		assert.equal(deadLetters.size, 0, 'nothing dead-lettered');
	});

	test('a request of an unknown version gets UNSUPPORTED_ENVELOPE naming its fingerprint and the runner\'s versions, and a dead letter', async () => {
		// A version nobody published: version 2 plus one more field.
		const v2 = envelopeVersions.request.versions.find((v) => v.version === 2)!.schema as {fields: unknown[]};
		const future = avsc.Type.forSchema({...v2, fields: [...v2.fields, {name: 'region', type: 'string', default: ''}]} as Schema);
		const fp = fingerprint(JSON.stringify(future.schema()));
		const id = `future-${Date.now()}`;
		const body = future.toBuffer({
			id, pipeline: 'echo', args: encodeValue({value: 'x'}), argsSchema: wireSchemas.value.ref, replyTo,
			deadlineMs: 0, attempt: 1, sentAtMs: Date.now(), headers: {}, priority: 0, region: 'eu',
		});
		const sentAt = Date.now();
		await producer.send({topic: stack.requestTopic, messages: [{key: id, value: frame(fp, body)}]});
		const reply = await waitFor('reply to the unknown version', () => replies.get(id));
		assert.ok(Date.now() - sentAt < 10_000, 'answered, not left to a timeout');
		assert.equal(reply.status, 'ERROR');
		const error = errorFromReply(id, 'echo', reply.error!, reply.runner);
		assert.ok(error instanceof UnsupportedEnvelopeError, error.message);
		assert.equal(error.fingerprint, fp.toString('hex'));
		assert.equal(error.retryable, false);
		assert.deepEqual(error.knownVersions, envelopeVersions.request.versions.map((v) => ({version: v.version, fingerprint: v.fingerprintHex})));
		assert.equal(error.runnerVersion, 1);
		const letter = await waitFor('dead letter', () => deadLetters.get(id));
		assert.equal(letter['mlbridge.dlq.reason']?.toString(), 'unknown-fingerprint');
	});
});
