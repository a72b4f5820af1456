import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {test} from 'node:test';
import {crc64Avro, fingerprint, schemaDir, wireSchemas} from '../../src/codec/index.js';

// Expected values computed once with fastavro 1.13.1:
// fastavro.schema.fingerprint(s, 'CRC-64-AVRO') (little-endian hex) and to_parsing_canonical_form.
const knownAnswers: Array<[string, string]> = [
	['', '95a7d7a43a215dc1'],
	['a', 'e210cf453b66de0a'],
	['abc', '043896e25c87ef1b'],
	['"int"', '8f5c393f1ad57572'],
	['"string"', 'c70345637248018f'],
	['"null"', '8a8f25cce724dd63'],
	['héllo ✓ 日本', '570615a2947b9556'],
];

const fastavroFingerprints = {
	value: '071d3e746c3ca3bc',
	request: 'c6bdd8d6a1a66e41',
	reply: '5ff1ae2113d80b13',
	catalog: '396c84b51f603240',
	job: '1ea8ccf152c15050',
	presence: 'a9a3c2767a56f9a3',
};

const fastavroValueCanonicalForm =
	'{"name":"mlbridge.wire.Value","type":"record","fields":[{"name":"v","type":["null","boolean","long","double",' +
	'"string","bytes",{"type":"array","items":"mlbridge.wire.Value"},{"type":"map","values":"mlbridge.wire.Value"}]}]}';
const fastavroRequestCanonicalForm =
	'{"name":"mlbridge.wire.Request","type":"record","fields":[{"name":"id","type":"string"},{"name":"pipeline","type":"string"},' +
	'{"name":"args","type":"bytes"},{"name":"argsSchema","type":"string"},{"name":"replyTo","type":"string"},' +
	'{"name":"deadlineMs","type":"long"},{"name":"attempt","type":"int"},{"name":"sentAtMs","type":"long"},' +
	'{"name":"headers","type":{"type":"map","values":"string"}}]}';

test('CRC-64-AVRO of empty input is the spec constant', () => {
	assert.equal(crc64Avro(new Uint8Array(0)), 0xc15d213aa4d7a795n);
});

test('CRC-64-AVRO known answers match fastavro', () => {
	for (const [input, hex] of knownAnswers) {
		assert.equal(fingerprint(input).toString('hex'), hex, JSON.stringify(input));
		// fingerprint() is the little-endian byte order of crc64Avro().
		assert.equal(crc64Avro(Buffer.from(input, 'utf8')), Buffer.from(hex, 'hex').readBigUInt64LE(0));
	}
});

test('crc64Avro agrees with a plain BigInt transcription of the spec over random input', () => {
	const empty = 0xc15d213aa4d7a795n;
	const table: bigint[] = [];
	for (let i = 0; i < 256; i++) {
		let fp = BigInt(i);
		for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (empty & -(fp & 1n));
		table.push(fp);
	}
	let seed = 7;
	for (let round = 0; round < 50; round++) {
		const data = new Uint8Array(round * 7);
		for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
		let fp = empty;
		for (const b of data) fp = (fp >> 8n) ^ table[Number((fp ^ BigInt(b)) & 0xffn)]!;
		assert.equal(crc64Avro(data), fp);
	}
});

test('schema fingerprints equal fastavro\'s and the committed fingerprints.json', () => {
	const committed = JSON.parse(readFileSync(join(schemaDir, 'vectors', 'fingerprints.json'), 'utf8')) as unknown;
	assert.deepEqual(committed, fastavroFingerprints);
	for (const name of ['value', 'request', 'reply', 'catalog', 'job'] as const) {
		const schema = wireSchemas[name];
		assert.equal(schema.fingerprintHex, fastavroFingerprints[name], name);
		assert.equal(schema.fingerprint.toString('hex'), schema.fingerprintHex);
		assert.equal(schema.ref, `crc64:${fastavroFingerprints[name]}`);
		assert.deepEqual(fingerprint(schema.canonicalForm), schema.fingerprint);
	}
});

test('canonical forms equal fastavro\'s to_parsing_canonical_form', () => {
	assert.equal(wireSchemas.value.canonicalForm, fastavroValueCanonicalForm);
	assert.equal(wireSchemas.request.canonicalForm, fastavroRequestCanonicalForm);
	assert.doesNotMatch(wireSchemas.reply.canonicalForm, /"doc"|"default"|"namespace"/);
});

test('schemaDir is the folder holding the .avsc files', () => {
	for (const name of ['value', 'request', 'reply']) {
		assert.ok(readFileSync(join(schemaDir, `${name}.avsc`), 'utf8').includes('mlbridge.wire'));
	}
});
