import assert from 'node:assert/strict';
import {test} from 'node:test';
import avsc from 'avsc';
import {CodecError, encodeReply, encodeRequest, encodeValue, type ReplyEnvelope, type RequestEnvelope, wireSchemas} from '../../src/codec/index.js';
import {frameConfluent} from '../../src/registry/confluent-framing.js';
import {encodeReplyConfluent, encodeRequestConfluent, envelopeSchemaText, RegistryEnvelopes} from '../../src/registry/registry-envelopes.js';
import {SchemaRegistryError} from '../../src/registry/registry-errors.js';
import {ConfluentSchemaRegistry, type RegistryTransport} from '../../src/registry/schema-registry.js';

const request: RequestEnvelope = {
	id: 'req-1',
	pipeline: 'train_model',
	args: encodeValue({epochs: 5}),
	argsSchema: wireSchemas.value.ref,
	replyTo: 'replies.c1',
	deadlineMs: 1764140000000,
	attempt: 1,
	sentAtMs: 1764139970000,
	headers: {traceparent: '00-abc-def-01'},
};

const reply: ReplyEnvelope = {
	id: 'req-1',
	status: 'OK',
	result: Buffer.from([2]),
	resultSchema: 'registry:3',
	error: null,
	progress: null,
	runner: 'h/1/1',
	timings: {receivedAtMs: 1, startedAtMs: 2, finishedAtMs: 3},
};

/** An in-memory registry: ids by subject + text, as a real one hands them out. */
function memoryTransport(): RegistryTransport & {subjects: Map<string, number>; texts: Map<number, string>} {
	const texts = new Map<number, string>();
	const subjects = new Map<string, number>();
	return {
		subjects,
		texts,
		async register(subject, text) {
			let id = [...texts].find(([, t]) => t === text)?.[0];
			if (id === undefined) {
				id = texts.size + 1;
				texts.set(id, text);
			}
			subjects.set(subject, id);
			return id;
		},
		async schemaText(id) {
			const text = texts.get(id);
			if (text === undefined) throw Object.assign(new Error('not found'), {status: 404});
			return text;
		},
	};
}

function setup(): {envelopes: RegistryEnvelopes; transport: ReturnType<typeof memoryTransport>} {
	const transport = memoryTransport();
	return {envelopes: new RegistryEnvelopes(new ConfluentSchemaRegistry({host: 'http://registry.invalid'}, transport)), transport};
}

test('a Confluent request carries the single-object body after its 5-byte header', () => {
	const confluent = encodeRequestConfluent(7, request);
	const single = encodeRequest(request);
	assert.equal(confluent.toString('hex', 0, 5), '0000000007');
	assert.deepEqual(confluent.subarray(5), single.subarray(10));
	assert.deepEqual(encodeReplyConfluent(8, reply).subarray(5), encodeReply(reply).subarray(10));
});

test('envelope schemas are registered under their subjects, once', async () => {
	const {envelopes, transport} = setup();
	const requestId = await envelopes.requestSchemaId('ml.pipeline.input');
	const replyId = await envelopes.replySchemaId();
	assert.notEqual(requestId, replyId);
	assert.equal(transport.subjects.get('ml.pipeline.input-value'), requestId);
	assert.equal(transport.subjects.get('mlbridge.reply-value'), replyId);
	assert.equal(await envelopes.requestSchemaId('ml.pipeline.input'), requestId);
	// The registered text is the schema file, so docs and names survive (what Java codegen reads).
	assert.equal(JSON.parse(transport.texts.get(requestId)!).doc.length > 0, true);
	assert.equal(envelopeSchemaText('request'), transport.texts.get(requestId));
});

test('both framings decode to the same request and reply', async () => {
	const {envelopes} = setup();
	const requestId = await envelopes.requestSchemaId('t');
	const replyId = await envelopes.replySchemaId();
	assert.deepEqual(await envelopes.decodeRequest(encodeRequestConfluent(requestId, request)), request);
	assert.deepEqual(await envelopes.decodeRequest(encodeRequest(request)), request);
	assert.deepEqual(await envelopes.decodeReply(encodeReplyConfluent(replyId, reply)), reply);
	assert.deepEqual(await envelopes.decodeReply(encodeReply(reply)), reply);
});

test('a writer schema text that differs only in docs and whitespace reads on the fast path', async () => {
	const {envelopes, transport} = setup();
	const bare = JSON.stringify(wireSchemas.request.type.schema(), null, 2);
	const id = await transport.register('t-value', bare);
	assert.deepEqual(await envelopes.decodeRequest(encodeRequestConfluent(id, request)), request);
});

test('a newer request schema (an extra field) is resolved to ours', async () => {
	const {envelopes, transport} = setup();
	const newer = JSON.parse(envelopeSchemaText('request')) as {fields: object[]};
	newer.fields.push({name: 'priority', type: 'int', default: 0});
	const writer = avsc.Type.forSchema(newer as avsc.Schema);
	const id = await transport.register('t-value', JSON.stringify(newer));
	const body = writer.toBuffer({...request, priority: 9});
	assert.deepEqual(await envelopes.decodeRequest(frameConfluent(id, body)), request);
});

test('a schema id of another record, or of an unreadable schema, is a codec error', async () => {
	const {envelopes, transport} = setup();
	const replyId = await envelopes.replySchemaId();
	await assert.rejects(envelopes.decodeRequest(encodeReplyConfluent(replyId, reply)), (e: unknown) => e instanceof CodecError && e.reason === 'unknown-fingerprint' && /cannot be read as a request/.test(e.message));
	const older = JSON.parse(envelopeSchemaText('request')) as {fields: {name: string}[]};
	older.fields = older.fields.filter((f) => f.name !== 'attempt'); // ours has no default for it (headers has: {})
	const olderId = await transport.register('t-value', JSON.stringify(older));
	await assert.rejects(envelopes.decodeRequest(frameConfluent(olderId, Buffer.alloc(3))), (e: unknown) => e instanceof CodecError && e.reason === 'unknown-fingerprint');
	const junkId = await transport.register('t-value', '{"type": "nope"}');
	await assert.rejects(envelopes.decodeRequest(frameConfluent(junkId, Buffer.alloc(3))), (e: unknown) => e instanceof CodecError && e.reason === 'unknown-fingerprint' && /not a valid Avro schema/.test(e.message));
});

test('broken bodies and frames are codec errors; an unknown id is a registry error', async () => {
	const {envelopes} = setup();
	const id = await envelopes.requestSchemaId('t');
	const full = encodeRequestConfluent(id, request);
	await assert.rejects(envelopes.decodeRequest(full.subarray(0, full.length - 3)), CodecError);
	await assert.rejects(envelopes.decodeRequest(Buffer.concat([full, Buffer.from([0])])), (e: unknown) => e instanceof CodecError && e.reason === 'trailing-bytes');
	await assert.rejects(envelopes.decodeRequest(Buffer.from('0000')), (e: unknown) => e instanceof CodecError && e.reason === 'too-short');
	await assert.rejects(envelopes.decodeRequest(Buffer.from('{"json": true}')), (e: unknown) => e instanceof CodecError && e.reason === 'bad-magic');
	await assert.rejects(envelopes.decodeRequest(frameConfluent(999, Buffer.alloc(4))), (e: unknown) => e instanceof SchemaRegistryError && e.reason === 'schema-not-found' && e.schemaId === 999);
});

test('a resolved (evolved) body that is broken is a codec error', async () => {
	const {envelopes, transport} = setup();
	const newer = JSON.parse(envelopeSchemaText('request')) as {fields: object[]};
	newer.fields.push({name: 'priority', type: 'int', default: 0});
	const id = await transport.register('t-value', JSON.stringify(newer));
	await assert.rejects(envelopes.decodeRequest(frameConfluent(id, Buffer.from([0x04, 0x61]))), (e: unknown) => e instanceof CodecError && e.reason === 'malformed-body');
});
