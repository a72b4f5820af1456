/**
 * The client with typed pipelines, over a fake transport: schema choice (contract → catalogue →
 * generic), local validation that sends nothing, typed replies resolved to the pinned schema,
 * unknown result refs, schema publishing, listPipelines/describe.
 */
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {encodeCatalogEntry, pipelineKey, schemaKey} from '../../src/catalog/catalog-entry.js';
import {decodeCatalogEntry} from '../../src/catalog/catalog-entry.js';
import {decodeRequest, decodeValue, encodeValue, type ReplyEnvelope, wireSchemas} from '../../src/codec/index.js';
import {TypedSchema} from '../../src/contract/typed-codec.js';
import {
	createLogger,
	InvalidArgumentsError,
	InvocationTimeoutError,
	PipelineClient,
	RunnerError,
	SchemaNotFoundError,
	UnknownPipelineError,
	type ClientOptions,
	type Contract,
	type PipelineTypes,
} from '../../src/index.js';
import {FakeTransport, type FakeBehaviour} from '../helpers/fake-transport.js';
import {type CatalogDumpEntry, contractV1, dumpEntry, type PipelinesV1} from '../helpers/typed-contracts.js';

const timings = {receivedAtMs: 0, startedAtMs: 0, finishedAtMs: 0};

function typedReply(schema: TypedSchema, value: unknown): Omit<ReplyEnvelope, 'id'> {
	return {status: 'OK', result: schema.encode(value), resultSchema: schema.ref, error: null, progress: null, runner: 'fake', timings};
}

function publish(transport: FakeTransport, e: CatalogDumpEntry, runner = 'fake-runner'): void {
	transport.appendTailed({
		key: pipelineKey(e.name, e.version),
		value: encodeCatalogEntry({...e, kind: 'PIPELINE', timeoutMs: null, runner, publishedAtMs: 1}),
	});
}

async function connect<P extends PipelineTypes>(
	behaviour: FakeBehaviour,
	options: ClientOptions<P> = {},
	before?: (transport: FakeTransport) => void,
): Promise<{client: PipelineClient<P>; transport: FakeTransport}> {
	const transport = new FakeTransport(behaviour);
	before?.(transport);
	const client = await PipelineClient.connect<P>({brokers: ['fake:1'], logger: createLogger('silent'), ...options}, async () => transport);
	return {client, transport};
}

const trainValue2 = {model_id: 'm', metrics: {accuracy: 1, loss: 0}, history: [], trained_at: new Date(0), tags: {}, mode: 'fast', notes: null};
const addArgs1 = TypedSchema.compile(dumpEntry(1, 'typed_add').argsSchema);
const addArgs2 = TypedSchema.compile(dumpEntry(2, 'typed_add').argsSchema);
const longSchema = TypedSchema.compile('long');
const trainResult1 = TypedSchema.compile(dumpEntry(1, 'typed_train').resultSchema);
const trainResult2 = TypedSchema.compile(dumpEntry(2, 'typed_train').resultSchema);

/** A fake runner for typed_add: reads the args with the writer schema the request names. */
const adder: FakeBehaviour = {
	answer(request, args) {
		const writer = [addArgs1, addArgs2].find(s => s.ref === request.argsSchema);
		const value = (writer === undefined ? args : addArgs2.decodeFrom(writer, args as Buffer)) as {a: number; b: number; c?: number};
		return [typedReply(longSchema, value.a + value.b + (value.c ?? 0))];
	},
};

test('with a contract: arguments are encoded with the pinned args schema, the result read with the pinned schema', async () => {
	const {client, transport} = await connect(adder, {contract: contractV1()});
	assert.equal(await client.invoke('typed_add', {a: 2, b: 3}), 5);
	assert.equal(await client.invoke('typed_add', {a: 2}), 2, 'the default of b');
	const request = decodeRequest(transport.sent[0]!.message.value);
	assert.equal(request.argsSchema, addArgs1.ref);
	assert.deepEqual(addArgs1.decode(request.args), {a: 2, b: 3});
	await client.close();
});

test('connect publishes schema/<ref> for each pinned schema, once', async () => {
	const {client, transport} = await connect({}, {contract: contractV1()});
	const keys = transport.tailed.map(r => r.key);
	assert.ok(keys.includes(schemaKey(addArgs1.ref)));
	assert.ok(keys.includes(schemaKey(trainResult1.ref)));
	assert.equal(new Set(keys).size, keys.length, 'no ref twice');
	const entry = decodeCatalogEntry(transport.tailed.find(r => r.key === schemaKey(addArgs1.ref))!.value!);
	assert.equal(entry.kind, 'SCHEMA');
	assert.equal(entry.name, addArgs1.ref);
	assert.equal(TypedSchema.compile(entry.argsSchema).ref, addArgs1.ref);
	await client.close();

	// A second client finds them in the catalogue and publishes nothing.
	const second = new FakeTransport();
	for (const record of transport.tailed) second.tailed.push(record);
	const before = second.tailed.length;
	const again = await PipelineClient.connect({brokers: ['fake:1'], logger: createLogger('silent'), contract: contractV1()}, async () => second);
	assert.equal(second.tailed.length, before);
	await again.close();
});

test('invalid arguments reject locally with InvalidArgumentsError naming the field; nothing is sent', async () => {
	const {client, transport} = await connect(adder, {contract: contractV1()});
	const cases: Array<[string, unknown, RegExp]> = [
		['typed_add', {a: 'x'}, /^args\.a: expected number \(integer\), got "x"$/],
		['typed_add', {b: 1}, /^args\.a: expected number \(integer\), got undefined \(missing\)$/],
		['typed_add', {a: 1, c: 2}, /^args: unexpected field "c"/],
		['typed_add', {a: 1.5}, /^args\.a: expected number \(integer\), got 1\.5$/],
		['typed_train', {dataset: 'd', config: {epochs: 1, optimizer: 'RMS'}}, /^args\.config\.optimizer: expected "SGD" \| "ADAM", got "RMS"$/],
		['typed_train', {dataset: 'd', config: {epochs: 1, layers: [1, 'x']}}, /^args\.config\.layers\[1\]: expected number \(integer\), got "x"$/],
		['typed_echo', {i: 1, f: 1, s: 's', b: true, raw: Buffer.alloc(0), day: new Date(Number.NaN), at: new Date(), optimizer: 'SGD'}, /^args\.day: expected Date, got an invalid Date$/],
		['typed_weigh', {samples: null}, /^args\.samples: expected .*\(array\), got null$/],
		['typed_add', [1, 2], /^args: expected object Args, got an array of 2$/],
	];
	for (const [name, args, message] of cases) {
		await assert.rejects(
			client.invoke(name as 'typed_add', args as {a: number}),
			(error: unknown) => {
				assert.ok(error instanceof InvalidArgumentsError, String(error));
				assert.equal(error.origin, 'local');
				assert.equal(error.runner, 'local');
				assert.equal(error.code, 'INVALID_ARGUMENTS');
				assert.equal(error.pipeline, name);
				assert.match(error.requestId ?? '', /^[0-9a-f-]{36}$/);
				assert.match(error.message, message);
				return true;
			},
			name,
		);
	}

	assert.equal(transport.sent.length, 0);
	await client.close();
});

test('validateArguments: false sends what the schema can encode and leaves checking to the runner', async () => {
	const {client, transport} = await connect(adder, {contract: contractV1(), validateArguments: false});
	assert.equal(await client.invoke('typed_add', {a: 2, b: 2, c: 9} as {a: number}), 4, 'the extra field is dropped by the encoder');
	await assert.rejects(client.invoke('typed_add', {a: 'x'} as unknown as {a: number}), (error: unknown) => error instanceof InvalidArgumentsError && error.origin === 'local');
	assert.equal(transport.sent.length, 1);
	await client.close();
});

test('a v1-pinned client reads a v2 result (extra field ignored); a v2 result ref it learns from the catalogue', async () => {
	const value = {model_id: 'm', metrics: {accuracy: 1, loss: 0.5}, history: [0.5], trained_at: new Date(1000), tags: {}, mode: 'fast', notes: 'seed 1'};
	const {client, transport} = await connect({answer: () => [typedReply(trainResult2, value)]}, {contract: contractV1()});
	publish(transport, dumpEntry(2, 'typed_train'));
	const {notes: _notes, ...v1Shape} = value;
	assert.deepStrictEqual(await client.invoke('typed_train', {dataset: 'd', config: {epochs: 1}}), v1Shape);
	await client.close();
});

test('a result written with a ref nobody published yet waits for the catalogue', async () => {
	const value = {model_id: 'm', metrics: {accuracy: 1, loss: 0.5}, history: [], trained_at: new Date(1000), tags: {}, mode: 'full', notes: null};
	const {client, transport} = await connect({answer: () => [typedReply(trainResult2, value)]}, {contract: contractV1()});
	const call = client.invoke('typed_train', {dataset: 'd', config: {epochs: 1}});
	setTimeout(() => publish(transport, dumpEntry(2, 'typed_train')), 100);
	const {notes: _notes, ...v1Shape} = value;
	assert.deepStrictEqual(await call, v1Shape);
	await client.close();
});

test('a result written with a ref that never shows up rejects with SchemaNotFoundError after 5 s', async () => {
	const {client} = await connect({answer: () => [typedReply(trainResult2, trainValue2)]}, {contract: contractV1()});
	const started = Date.now();
	await assert.rejects(client.invoke('typed_train', {dataset: 'd', config: {epochs: 1}}), (error: unknown) => {
		assert.ok(error instanceof SchemaNotFoundError, String(error));
		assert.equal(error.ref, trainResult2.ref);
		assert.equal(error.pipeline, 'typed_train');
		assert.match(error.requestId ?? '', /^[0-9a-f-]{36}$/);
		return true;
	});
	assert.ok(Date.now() - started >= 4900);
	await client.close();
});

test('the call\'s own deadline still applies while waiting for an unknown result ref', async () => {
	const {client} = await connect({answer: () => [typedReply(trainResult2, trainValue2)]}, {contract: contractV1()});
	await assert.rejects(client.invoke('typed_train', {dataset: 'd', config: {epochs: 1}}, {timeoutMs: 200}), InvocationTimeoutError);
	await client.close();
});

test('a result that does not decode with its writer schema rejects with RunnerError', async () => {
	const bad = {status: 'OK' as const, result: Buffer.from([0xff]), resultSchema: longSchema.ref, error: null, progress: null, runner: 'fake', timings};
	const {client} = await connect({answer: () => [bad]}, {contract: contractV1()});
	await assert.rejects(client.invoke('typed_add', {a: 1}), (error: unknown) => error instanceof RunnerError && error.remoteType === 'UndecodableResult');
	await client.close();
});

test('a result ref that is neither crc64: nor registry: is refused at once, as before typed results', async () => {
	const odd = {status: 'OK' as const, result: Buffer.from([2]), resultSchema: 'md5:0f', error: null, progress: null, runner: 'fake', timings};
	const {client} = await connect({answer: () => [odd]}, {contract: contractV1()});
	const started = Date.now();
	await assert.rejects(client.invoke('typed_add', {a: 1}), (error: unknown) => error instanceof RunnerError && error.remoteType === 'UnsupportedResultSchema');
	assert.ok(Date.now() - started < 1000);
	await client.close();
});

test('a generic reply to a typed request is read generically', async () => {
	const generic = {status: 'OK' as const, result: encodeValue(7), resultSchema: wireSchemas.value.ref, error: null, progress: null, runner: 'fake', timings};
	const {client} = await connect({answer: () => [generic]}, {contract: contractV1()});
	assert.equal(await client.invoke('typed_add', {a: 1}), 7);
	await client.close();
});

test('without a contract the newest catalogue version is used, with validation', async () => {
	const {client, transport} = await connect(adder, {}, t => {
		publish(t, dumpEntry(1, 'typed_add'));
		publish(t, dumpEntry(2, 'typed_add'));
	});
	assert.equal(await client.invoke('typed_add', {a: 1, b: 2, c: 3}), 6);
	assert.equal(decodeRequest(transport.sent[0]!.message.value).argsSchema, addArgs2.ref);
	await assert.rejects(client.invoke('typed_add', {a: 'x'}), (error: unknown) => error instanceof InvalidArgumentsError && error.origin === 'local');
	assert.equal(transport.sent.length, 1);
	await client.close();
});

test('a pipeline the catalogue lists as untyped, or does not list, uses the generic encoding', async () => {
	const echo: FakeBehaviour = {answer: (_r, args) => [{status: 'OK', result: encodeValue(args as never), resultSchema: wireSchemas.value.ref, error: null, progress: null, runner: 'f', timings}]};
	const {client, transport} = await connect(echo, {}, t => {
		publish(t, {...dumpEntry(1, 'typed_add'), name: 'loose', typed: false, argsSchema: '', resultSchema: '', argsRef: wireSchemas.value.ref, resultRef: wireSchemas.value.ref});
	});
	assert.deepEqual(await client.invoke('loose', {x: [1, 'a']}), {x: [1, 'a']});
	assert.deepEqual(await client.invoke('unlisted', {y: null}), {y: null});
	for (const {message} of transport.sent) {
		const request = decodeRequest(message.value);
		assert.equal(request.argsSchema, wireSchemas.value.ref);
		assert.ok(decodeValue(request.args) !== undefined);
	}

	await client.close();
});

test('a contract entry with null schemas pins the generic encoding', async () => {
	const echo: FakeBehaviour = {answer: (_r, args) => [{status: 'OK', result: encodeValue(args as never), resultSchema: wireSchemas.value.ref, error: null, progress: null, runner: 'f', timings}]};
	const contract = {pipelines: {loose: {version: 1, argsSchema: null, resultSchema: null}}} as Contract<{loose: {args: {x: number}; result: {x: number}}}>;
	const {client, transport} = await connect(echo, {contract}, t => publish(t, {...dumpEntry(1, 'typed_add'), name: 'loose'}));
	assert.deepEqual(await client.invoke('loose', {x: 1}), {x: 1});
	assert.equal(decodeRequest(transport.sent[0]!.message.value).argsSchema, wireSchemas.value.ref);
	await client.close();
});

test('listPipelines and describe read the catalogue (and the contract); an unknown name rejects locally', async () => {
	const {client, transport} = await connect({}, {contract: contractV1()}, t => {
		publish(t, dumpEntry(1, 'typed_add'), 'r-1');
		publish(t, dumpEntry(2, 'typed_add'), 'r-2');
	});
	const add = await client.describe('typed_add');
	assert.equal(add.name, 'typed_add');
	assert.equal(add.version, 2);
	assert.deepEqual(add.versions, [1, 2]);
	assert.equal(add.doc, 'Add two (or three) integers.');
	assert.equal(add.typed, true);
	assert.deepEqual(add.argsSchema, JSON.parse(dumpEntry(2, 'typed_add').argsSchema));
	assert.equal(add.resultSchema, 'long');
	assert.equal(add.runner, 'r-2');
	assert.equal(add.timeoutMs, undefined);
	// Known to the contract only.
	const train = await client.describe('typed_train');
	assert.deepEqual({version: train.version, versions: train.versions, runner: train.runner, typed: train.typed}, {version: 1, versions: [1], runner: '', typed: true});
	const names = (await client.listPipelines()).map(p => p.name);
	assert.deepEqual(names, [...names].sort());
	assert.ok(names.includes('typed_add') && names.includes('typed_echo'));
	await assert.rejects(client.describe('nope' as 'typed_add'), (error: unknown) => {
		assert.ok(error instanceof UnknownPipelineError);
		assert.equal(error.origin, 'local');
		assert.match(error.message, /nope/);
		return true;
	});
	assert.equal(transport.sent.length, 0, 'no round trip');
	await client.close();
});

test('a contract that is not one is refused at connect with a TypeError', async () => {
	const bad: unknown[] = [
		null,
		{pipelines: null},
		{pipelines: {p: {version: 1}}},
		{pipelines: {p: {version: 'x', argsSchema: 'long', resultSchema: 'long'}}},
		{pipelines: {p: {version: 1, argsSchema: {type: 'nope'}, resultSchema: 'long'}}},
		{pipelines: {p: {version: 1, argsSchema: 'long', resultSchema: 'long'}}},
	];
	for (const contract of bad) {
		await assert.rejects(connect({}, {contract: contract as Contract<PipelinesV1>}), TypeError, JSON.stringify(contract));
	}
});

test('the reply dispatcher: a schema source that fails while waiting fails the call with its error', async () => {
	const {PendingCalls} = await import('../../src/client/pending-calls.js');
	const {createReplyDispatcher} = await import('../../src/client/reply-router.js');
	const {SchemaStore} = await import('../../src/contract/schema-store.js');
	const pending = new PendingCalls(() => {});
	const failure = new Error('registry unreachable');
	const store = new SchemaStore(createLogger('silent'), {schemaText: () => undefined, waitForSchema: async () => Promise.reject(failure)});
	const route = createReplyDispatcher(pending, createLogger('silent'), {schemas: store, waitMs: 1000});
	const settled = new Promise<unknown>((resolve, reject) => {
		pending.add({id: 'r1', pipeline: 'p', timeoutMs: 1000, resolve, reject, onProgress: undefined, detach: () => {}, wheelHandle: undefined}, undefined);
	});
	route({id: 'r1', status: 'OK', result: Buffer.from([2]), resultSchema: 'registry:12', error: null, progress: null, runner: 'r', timings});
	await assert.rejects(settled, failure);
	assert.equal(pending.size, 0);
});

test('a bad contract fails before any network work', async () => {
	let opened = false;
	const contract = {pipelines: {p: {version: 1, argsSchema: {type: 'record', name: 'Args', fields: [{name: 'a', type: 'nope'}]}, resultSchema: 'long'}}};
	await assert.rejects(
		PipelineClient.connect({brokers: ['fake:1'], logger: createLogger('silent'), contract: contract as never}, async () => {
			opened = true;
			return new FakeTransport();
		}),
		/Expected `contract\.pipelines\.p\.argsSchema` to be a valid Avro schema/,
	);
	assert.equal(opened, false);
});
