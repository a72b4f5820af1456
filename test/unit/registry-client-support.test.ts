import assert from 'node:assert/strict';
import {test} from 'node:test';
import {encodeReply, type ReplyEnvelope, wireSchemas} from '../../src/codec/index.js';
import {TypedSchema} from '../../src/contract/typed-codec.js';
import {ClientRegistry, peekConfluentReplyId, withRegistry} from '../../src/registry/client-registry.js';
import {frameConfluent, unframeConfluent} from '../../src/registry/confluent-framing.js';
import {encodeReplyConfluent} from '../../src/registry/registry-envelopes.js';
import {SchemaRegistryError} from '../../src/registry/registry-errors.js';
import type {RegistryTransport} from '../../src/registry/schema-registry.js';

function memoryTransport(delayMs = 0): RegistryTransport & {subjects: Map<string, number>; texts: Map<number, string>; down: boolean; lookups: number} {
	const texts = new Map<number, string>();
	const subjects = new Map<string, number>();
	const t = {
		subjects,
		texts,
		down: false,
		lookups: 0,
		async register(subject: string, text: string): Promise<number> {
			if (t.down) throw Object.assign(new Error('Error, status 400: connect ECONNREFUSED'), {status: 400});
			let id = [...texts].find(([, known]) => known === text)?.[0];
			if (id === undefined) {
				id = texts.size + 1;
				texts.set(id, text);
			}
			subjects.set(subject, id);
			return id;
		},
		async schemaText(id: number): Promise<string> {
			t.lookups++;
			await new Promise((r) => setTimeout(r, delayMs));
			if (t.down) throw Object.assign(new Error('Error, status 400: connect ECONNREFUSED'), {status: 400});
			const text = texts.get(id);
			if (text === undefined) throw Object.assign(new Error('not found'), {status: 404});
			return text;
		},
	};
	return t;
}

function reply(id: string, status: ReplyEnvelope['status'] = 'OK'): ReplyEnvelope {
	return {
		id,
		status,
		result: Buffer.alloc(0),
		resultSchema: status === 'OK' ? wireSchemas.value.ref : '',
		error: null,
		progress: status === 'PROGRESS' ? {current: 1, total: null, message: ''} : null,
		runner: 'r',
		timings: {receivedAtMs: 1, startedAtMs: 2, finishedAtMs: 3},
	};
}

const argsSchema = TypedSchema.compile({type: 'record', name: 'Args', namespace: 'mlbridge.pipeline.p', fields: [{name: 'x', type: 'long'}]});

test('open registers both envelopes; requests are framed with the request id', async () => {
	const t = memoryTransport();
	const registry = await ClientRegistry.open({host: 'http://r.invalid'}, 'ml.in', t);
	assert.equal(t.subjects.get('ml.in-value'), registry.requestSchemaId);
	assert.ok(t.subjects.has('mlbridge.reply-value'));
	const framed = registry.encodeRequest({id: 'a', pipeline: 'p', args: Buffer.alloc(0), argsSchema: 'registry:9', replyTo: 'r', deadlineMs: 0, attempt: 1, sentAtMs: 1, headers: {}});
	assert.equal(unframeConfluent(framed).schemaId, registry.requestSchemaId);
});

test('open fails with a typed error when the registry is down', async () => {
	const t = memoryTransport();
	t.down = true;
	await assert.rejects(ClientRegistry.open({host: 'http://r.invalid'}, 'ml.in', t), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'unavailable');
});

test('typed args are registered once under the args subject and named registry:<id>', async () => {
	const t = memoryTransport();
	const registry = await ClientRegistry.open({host: 'http://r.invalid'}, 'ml.in', t);
	const ref = await registry.argsRef('p', argsSchema, 'req-1');
	assert.equal(ref, `registry:${t.subjects.get('mlbridge.pipeline.p.args-value')}`);
	assert.equal(await registry.argsRef('p', argsSchema, 'req-2'), ref);
	t.down = true;
	assert.equal(await registry.argsRef('p', argsSchema, 'req-3'), ref); // cached: no registry needed
	await assert.rejects(registry.argsRef('q', argsSchema, 'req-4'), (e: unknown) => e instanceof SchemaRegistryError && e.requestId === 'req-4' && e.subject === 'mlbridge.pipeline.q.args-value');
	t.down = false;
	assert.match(await registry.argsRef('q', argsSchema, 'req-5'), /^registry:\d+$/); // a failure is not remembered
});

test('the schema source answers registry refs from the registry, others from the base', async () => {
	const t = memoryTransport();
	const registry = await ClientRegistry.open({host: 'http://r.invalid'}, 'ml.in', t);
	const id = await t.register('x-value', '"long"');
	const base = {schemaText: (ref: string) => (ref === 'crc64:aa' ? '"string"' : undefined), waitForSchema: async () => 'waited'};
	const source = registry.schemaSource(base);
	assert.equal(source.schemaText('crc64:aa'), '"string"');
	assert.equal(source.schemaText(`registry:${id}`), undefined); // not fetched yet
	assert.equal(await source.waitForSchema(`registry:${id}`, 100), '"long"');
	assert.equal(source.schemaText(`registry:${id}`), '"long"');
	assert.equal(await source.waitForSchema('crc64:bb', 100), 'waited');
	assert.equal(await source.waitForSchema('registry:999', 100), undefined);
	t.down = true;
	await assert.rejects(source.waitForSchema('registry:998', 100), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'unavailable');
	assert.equal(registry.schemaSource(undefined).schemaText('crc64:aa'), undefined);
});

test('replies keep their order while one waits for a schema lookup', async () => {
	const t = memoryTransport(30);
	const registry = await ClientRegistry.open({host: 'http://r.invalid'}, 'ml.in', t);
	// A runner that registered the reply schema with other text: a new id, unknown to this client.
	const otherId = await t.register('mlbridge.reply-value', JSON.stringify(wireSchemas.reply.type.schema(), null, 1));
	const routed: string[] = [];
	const handle = registry.replyHandler({route: (r) => routed.push(`${r.id}:${r.status}`), fail: () => assert.fail('no failure expected'), undecodable: () => assert.fail('no garbage expected')});
	handle(encodeReplyConfluent(otherId, reply('a', 'PROGRESS')));
	handle(encodeReply(reply('a', 'OK'))); // single-object, decodable at once, but must wait its turn
	handle(encodeReplyConfluent(otherId, reply('b')));
	assert.deepEqual(routed, []);
	await new Promise((r) => setTimeout(r, 100));
	assert.deepEqual(routed, ['a:PROGRESS', 'a:OK', 'b:OK']);
	assert.equal(t.lookups, 1);
	// Known ids now decode at once.
	handle(encodeReplyConfluent(otherId, reply('c')));
	assert.deepEqual(routed.at(-1), 'c:OK');
});

test('a reply whose schema cannot be looked up fails its call; garbage is only logged', async () => {
	const t = memoryTransport();
	const registry = await ClientRegistry.open({host: 'http://r.invalid'}, 'ml.in', t);
	const failed: [string, SchemaRegistryError][] = [];
	const garbage: unknown[] = [];
	const handle = registry.replyHandler({route: () => assert.fail('nothing decodes'), fail: (id, e) => failed.push([id, e]), undecodable: (e) => garbage.push(e)});
	handle(encodeReplyConfluent(4242, reply('lost-schema')));
	await new Promise((r) => setTimeout(r, 10));
	t.down = true;
	handle(encodeReplyConfluent(4243, reply('registry-down')));
	handle(Buffer.from('{"not": "avro"}'));
	handle(frameConfluent(4244, Buffer.from([0x7f])));
	await new Promise((r) => setTimeout(r, 20));
	assert.deepEqual(failed.map(([id, e]) => [id, e.reason, e.requestId]), [
		['lost-schema', 'schema-not-found', 'lost-schema'],
		['registry-down', 'unavailable', 'registry-down'],
	]);
	assert.equal(garbage.length, 2);
	assert.equal(peekConfluentReplyId(encodeReplyConfluent(1, reply('x'))), 'x');
	assert.equal(peekConfluentReplyId(encodeReply(reply('x'))), undefined);
});

test('withRegistry routes registry refs to the registry once it is open, others to the base', async () => {
	const t = memoryTransport();
	let registry: ClientRegistry | undefined;
	const base = {schemaText: (ref: string) => `base:${ref}`, waitForSchema: async (ref: string) => `waited:${ref}`};
	const source = withRegistry(() => registry, base);
	assert.equal(source.schemaText('registry:1'), 'base:registry:1'); // not open yet: the base answers
	registry = await ClientRegistry.open({host: 'http://r.invalid'}, 'ml.in', t);
	const id = await t.register('x-value', '"int"');
	assert.equal(await source.waitForSchema(`registry:${id}`, 50), '"int"');
	assert.equal(source.schemaText(`registry:${id}`), '"int"');
	assert.equal(source.schemaText('crc64:00'), 'base:crc64:00');
	assert.equal(await source.waitForSchema('crc64:00', 50), 'waited:crc64:00');
});
