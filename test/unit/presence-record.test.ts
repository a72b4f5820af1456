import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {test} from 'node:test';
import {CodecError} from '../../src/codec/codec-errors.js';
import {schemaDir} from '../../src/codec/schemas.js';
import {decodePresenceRecord, encodePresenceRecord, isLive, presenceTopicFor, type PresenceRecord} from '../../src/presence/presence-record.js';

// Presence records framed by the Python runner (schemas/vectors/presence.json): the reader gets every
// field as written and writes the same bytes back.
type Case = {name: string; key: string; value: PresenceRecord; hex: string};
const {cases} = JSON.parse(readFileSync(join(schemaDir, 'vectors', 'presence.json'), 'utf8')) as {cases: Case[]};

test('presence.json has the cases a reader must handle', () => {
	assert.deepEqual(cases.map(c => c.name), ['starting', 'serving', 'unicode, short interval']);
});

for (const c of cases) {
	test(`presence record "${c.name}" written by Python decodes field for field`, () => {
		const decoded = decodePresenceRecord(Buffer.from(c.hex, 'hex'));
		assert.deepEqual(decoded, c.value);
		assert.equal(decoded.id, c.key);
	});

	test(`presence record "${c.name}" encodes to the bytes Python wrote`, () => {
		assert.equal(encodePresenceRecord(c.value).toString('hex'), c.hex);
	});
}

test('a record of another schema is a CodecError, not a runner', () => {
	const job = readFileSync(join(schemaDir, 'vectors', 'jobs.json'), 'utf8');
	const {cases: jobs} = JSON.parse(job) as {cases: Array<{hex: string}>};
	assert.throws(() => decodePresenceRecord(Buffer.from(jobs[0]!.hex, 'hex')), (error: unknown) => error instanceof CodecError && error.reason === 'unknown-fingerprint');
	const truncated = Buffer.from(cases[1]!.hex, 'hex').subarray(0, -3);
	assert.throws(() => decodePresenceRecord(truncated), (error: unknown) => error instanceof CodecError && error.reason === 'malformed-body');
});

test('live for three publish periods, on the request topic\'s presence topic', () => {
	assert.equal(isLive({updatedAtMs: 10_000, intervalMs: 1000}, 12_999), true);
	assert.equal(isLive({updatedAtMs: 10_000, intervalMs: 1000}, 13_000), false);
	assert.equal(presenceTopicFor('ml.pipeline.input'), 'ml.pipeline.input.runners');
});
