import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {test} from 'node:test';
import {
	decodeReply,
	decodeRequest,
	decodeValue,
	encodeReply,
	encodeRequest,
	encodeValue,
	frame,
	schemaDir,
	unframe,
	wireSchemas,
} from '../../src/codec/index.js';
import {
	decodeTagged,
	encodeTagged,
	fromTagged,
	type ReplyJson,
	replyFromJson,
	type RequestJson,
	requestFromJson,
	type Tagged,
	toTagged,
} from '../../src/codec/vector-format.js';

interface VectorCase {
	name: string;
	schema: 'value' | 'request' | 'reply';
	value: unknown;
	hex: string;
}

const vectorDir = join(schemaDir, 'vectors');

function checkValueCase(c: VectorCase): void {
	const tagged = c.value as Tagged;
	const framed = Buffer.from(c.hex, 'hex');
	const {fingerprint, body} = unframe(framed);
	assert.deepEqual(fingerprint, wireSchemas.value.fingerprint, 'fingerprint');
	// Exact branches both ways.
	assert.deepEqual(decodeTagged(body), tagged, 'decode (tagged)');
	assert.equal(frame(wireSchemas.value.fingerprint, encodeTagged(tagged)).toString('hex'), c.hex, 'encode (tagged)');
	// The public API: decodeValue gives the value the tagged form stands for.
	const value = decodeValue(body);
	assert.deepEqual(value, fromTagged(tagged), 'decodeValue');
	// encodeValue picks the same branches whenever JS can tell them apart (not for integral
	// doubles such as 2.0, which JS cannot tell from the integer 2).
	if (JSON.stringify(toTagged(value)) === JSON.stringify(tagged)) {
		assert.equal(encodeValue(value).toString('hex'), c.hex.slice(20), 'encodeValue');
	}
}

function checkRequestCase(c: VectorCase): void {
	const expected = requestFromJson(c.value as RequestJson);
	const framed = Buffer.from(c.hex, 'hex');
	assert.deepEqual(decodeRequest(framed), expected, 'decodeRequest');
	assert.equal(encodeRequest(expected).toString('hex'), c.hex, 'encodeRequest');
}

function checkReplyCase(c: VectorCase): void {
	const expected = replyFromJson(c.value as ReplyJson);
	const framed = Buffer.from(c.hex, 'hex');
	assert.deepEqual(decodeReply(framed), expected, 'decodeReply');
	assert.equal(encodeReply(expected).toString('hex'), c.hex, 'encodeReply');
}

function checkFile(file: string, writer: string): number {
	const parsed = JSON.parse(readFileSync(join(vectorDir, file), 'utf8')) as {writer: string; cases: VectorCase[]};
	assert.equal(parsed.writer, writer);
	assert.ok(parsed.cases.length > 0);
	for (const c of parsed.cases) {
		assert.match(c.hex, /^c301[\da-f]{16}([\da-f]{2})*$/, c.name);
		try {
			if (c.schema === 'value') checkValueCase(c);
			else if (c.schema === 'request') checkRequestCase(c);
			else if (c.schema === 'reply') checkReplyCase(c);
			else assert.fail(`unknown schema ${String(c.schema)}`);
		} catch (error) {
			if (error instanceof Error) error.message = `${file} case "${c.name}": ${error.message}`;
			throw error;
		}
	}
	return parsed.cases.length;
}

test('ts-written.json: every case decodes to its value and encodes to its bytes', () => {
	const count = checkFile('ts-written.json', 'ts');
	const names = (JSON.parse(readFileSync(join(vectorDir, 'ts-written.json'), 'utf8')) as {cases: VectorCase[]}).cases.map(
		(c) => c.schema,
	);
	assert.ok(count >= 40);
	for (const schema of ['value', 'request', 'reply']) assert.ok(names.includes(schema as VectorCase['schema']), schema);
});

test('py-written.json: every case decodes to its value and encodes to its bytes', (t) => {
	if (!existsSync(join(vectorDir, 'py-written.json'))) {
		t.skip('py-written.json not written yet');
		return;
	}
	checkFile('py-written.json', 'py');
});

test('fingerprints.json matches the schemas', () => {
	const fingerprints = JSON.parse(readFileSync(join(vectorDir, 'fingerprints.json'), 'utf8')) as Record<string, string>;
	assert.deepEqual(fingerprints, {
		value: wireSchemas.value.fingerprintHex,
		request: wireSchemas.request.fingerprintHex,
		reply: wireSchemas.reply.fingerprintHex,
		catalog: wireSchemas.catalog.fingerprintHex,
		job: wireSchemas.job.fingerprintHex,
		presence: wireSchemas.presence.fingerprintHex,
	});
});
