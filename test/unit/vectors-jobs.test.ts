import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {test} from 'node:test';
import {schemaDir} from '../../src/codec/schemas.js';
import {decodeJobRecord, encodeJobRecord, type JobRecord} from '../../src/jobs/job-record.js';

// Job state records framed by the Python runner (schemas/vectors/jobs.json): the client reads every
// field as written and writes the same bytes back.
type Case = {name: string; value: Record<string, unknown>; hex: string};
const {cases} = JSON.parse(readFileSync(join(schemaDir, 'vectors', 'jobs.json'), 'utf8')) as {cases: Case[]};

function fromJson(value: Record<string, unknown>): JobRecord {
	const bytes = (field: string): Buffer | null => (value[field] === null ? null : Buffer.from(value[field] as string, 'hex'));
	return {...value, args: bytes('args'), checkpoint: bytes('checkpoint'), result: bytes('result')} as unknown as JobRecord;
}

test('jobs.json holds every state a reader must handle', () => {
	assert.deepEqual(cases.map(c => c.name), ['queued', 'running', 'succeeded', 'failed', 'call-cancel']);
});

for (const c of cases) {
	test(`job record "${c.name}" written by Python decodes field for field`, () => {
		const decoded = decodeJobRecord(Buffer.from(c.hex, 'hex'));
		assert.deepEqual({...decoded}, {...fromJson(c.value)});
	});

	test(`job record "${c.name}" encodes to the bytes Python wrote`, () => {
		assert.equal(encodeJobRecord(fromJson(c.value)).toString('hex'), c.hex);
	});
}
