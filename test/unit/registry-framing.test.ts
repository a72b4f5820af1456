import assert from 'node:assert/strict';
import {test} from 'node:test';
import {CodecError} from '../../src/codec/index.js';
import {
	CONFLUENT_HEADER_LENGTH,
	confluentHeader,
	detectFraming,
	frameConfluent,
	MAX_SCHEMA_ID,
	unframeConfluent,
} from '../../src/registry/confluent-framing.js';
import {argsSubject, parseRegistryRef, REPLY_SUBJECT, registryRef, requestSubject, resultSubject} from '../../src/registry/subjects.js';

test('a Confluent frame is 00, the big-endian schema id, then the body', () => {
	const framed = frameConfluent(0x01020304, Buffer.from([0xaa, 0xbb]));
	assert.equal(framed.toString('hex'), '0001020304aabb');
	assert.equal(confluentHeader(1).toString('hex'), '0000000001');
	assert.equal(confluentHeader(MAX_SCHEMA_ID).toString('hex'), '007fffffff');
	assert.equal(CONFLUENT_HEADER_LENGTH, 5);
});

test('unframe gives back id and body, the body as a view', () => {
	const framed = frameConfluent(42, Buffer.from('body'));
	const {schemaId, body} = unframeConfluent(framed);
	assert.equal(schemaId, 42);
	assert.equal(body.toString(), 'body');
	assert.equal(body.buffer, framed.buffer);
	assert.deepEqual(unframeConfluent(frameConfluent(7, Buffer.alloc(0))), {schemaId: 7, body: Buffer.alloc(0)});
});

test('ids outside 0..2^31-1 cannot be framed', () => {
	for (const bad of [-1, 1.5, MAX_SCHEMA_ID + 1, Number.NaN]) {
		assert.throws(() => confluentHeader(bad), RangeError, String(bad));
	}
});

test('bad frames are typed codec errors', () => {
	const cases: [Buffer, string][] = [
		[Buffer.alloc(0), 'too-short'],
		[Buffer.from('00000001', 'hex'), 'too-short'],
		[Buffer.from('c30100000000000000', 'hex'), 'bad-magic'],
		[Buffer.from('0100000001ff', 'hex'), 'bad-magic'],
		[Buffer.from('00ffffffff', 'hex'), 'unknown-fingerprint'],
	];
	for (const [buf, reason] of cases) {
		assert.throws(() => unframeConfluent(buf), (error: unknown) => error instanceof CodecError && error.reason === reason, buf.toString('hex'));
	}
});

test('framing is told apart by the first byte', () => {
	assert.equal(detectFraming(Buffer.from('c301000000000000000000', 'hex')), 'single-object');
	assert.equal(detectFraming(Buffer.from('0000000001', 'hex')), 'confluent');
	assert.equal(detectFraming(Buffer.from('c301', 'hex')), undefined);
	assert.equal(detectFraming(Buffer.from('0000', 'hex')), undefined);
	assert.equal(detectFraming(Buffer.from('7b2269', 'hex')), undefined);
	assert.equal(detectFraming(Buffer.alloc(0)), undefined);
});

test('subjects follow the design: TopicNameStrategy for requests', () => {
	assert.equal(requestSubject('ml.pipeline.input'), 'ml.pipeline.input-value');
	assert.equal(REPLY_SUBJECT, 'mlbridge.reply-value');
	assert.equal(argsSubject('train_model'), 'mlbridge.pipeline.train_model.args-value');
	assert.equal(resultSubject('train_model'), 'mlbridge.pipeline.train_model.result-value');
});

test('registry refs round-trip; anything else is not one', () => {
	assert.equal(registryRef(17), 'registry:17');
	assert.equal(parseRegistryRef('registry:17'), 17);
	assert.equal(parseRegistryRef('registry:0'), 0);
	assert.equal(parseRegistryRef('registry:2147483647'), 2147483647);
	for (const bad of ['crc64:0123456789abcdef', 'registry:', 'registry:-1', 'registry:01', 'registry:1.5', 'registry:2147483648', 'registry: 1', 'Registry:1']) {
		assert.equal(parseRegistryRef(bad), undefined, bad);
	}
});
