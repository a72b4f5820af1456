import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'node:test';
import avsc from 'avsc';
import {CodecError, fingerprint, schemaDir, wireSchemas} from '../../src/codec/index.js';
import {decodeJobRecord, encodeJobRecord, isTerminal, jobStates, type JobRecord} from '../../src/jobs/job-record.js';
import {defaultJobStateTopic, defaultJobTopic, jobStateTopicSpec, jobTopicSpec} from '../../src/jobs/job-topics.js';

const running: JobRecord = {
	id: 'job-1',
	subject: 'JOB',
	state: 'RUNNING',
	pipeline: 'train',
	args: Buffer.from([1, 2, 3]),
	argsSchema: wireSchemas.value.ref,
	attempt: 2,
	maxAttempts: 3,
	runner: 'host/42/abc',
	submittedBy: 'c-1',
	submittedAtMs: 1_700_000_000_000,
	startedAtMs: 1_700_000_001_000,
	heartbeatAtMs: 1_700_000_002_000,
	finishedAtMs: 0,
	updatedAtMs: 1_700_000_002_000,
	progressSeq: 7,
	progress: {current: 3, total: 10, message: 'epoch 3', atMs: 1_700_000_001_500},
	checkpoint: Buffer.from('ckpt'),
	result: Buffer.alloc(0),
	resultSchema: '',
	error: null,
};

test('a record round-trips: progress with and without total, checkpoint, error with causes', () => {
	assert.deepEqual(decodeJobRecord(encodeJobRecord(running)), running);
	const failed: JobRecord = {
		...running,
		state: 'FAILED',
		progress: {current: 1, total: null, message: '', atMs: 5},
		checkpoint: null,
		error: {code: 'PIPELINE_ERROR', type: 'ValueError', message: 'bad', traceback: 'tb', retryable: false, causes: [{type: 'KeyError', message: 'k'}]},
	};
	assert.deepEqual(decodeJobRecord(encodeJobRecord(failed)), failed);
	const call: JobRecord = {...running, subject: 'CALL', state: 'CANCEL_REQUESTED', progress: null, checkpoint: null};
	assert.deepEqual(decodeJobRecord(encodeJobRecord(call)), call);
});

test('the frame carries the fingerprint of schemas/job.avsc as read from the file', () => {
	const schema = JSON.parse(readFileSync(join(schemaDir, 'job.avsc'), 'utf8')) as avsc.Schema;
	const canonical = JSON.stringify(avsc.Type.forSchema(schema).schema());
	const bytes = encodeJobRecord(running);
	assert.deepEqual([...bytes.subarray(0, 2)], [0xc3, 0x01]);
	assert.deepEqual(bytes.subarray(2, 10), fingerprint(canonical));
	assert.equal(wireSchemas.job.fingerprintHex, fingerprint(canonical).toString('hex'));
	// fastavro: fingerprint(to_parsing_canonical_form(parse_schema(job.avsc)), 'CRC-64-AVRO'), what the runner frames with.
	assert.equal(wireSchemas.job.fingerprintHex, '1ea8ccf152c15050');
});

test('the states are the schema enum, in its order; three are terminal', () => {
	const schema = JSON.parse(readFileSync(join(schemaDir, 'job.avsc'), 'utf8')) as {fields: Array<{name: string; type: {symbols?: string[]}}>};
	assert.deepEqual(jobStates, schema.fields.find(f => f.name === 'state')!.type.symbols);
	assert.deepEqual(jobStates.filter(s => isTerminal(s)), ['SUCCEEDED', 'FAILED', 'CANCELLED']);
});

test('bytes that are not a job record are a CodecError', () => {
	const other = encodeJobRecord(running);
	wireSchemas.catalog.fingerprint.copy(other, 2);
	for (const [bytes, reason] of [[other, 'unknown-fingerprint'], [encodeJobRecord(running).subarray(0, 20), 'malformed-body'], [Buffer.from('xx'), 'too-short']] as const) {
		assert.throws(() => decodeJobRecord(bytes), (e: unknown) => e instanceof CodecError && e.reason === reason, reason);
	}
});

test('topics: names from the request topic; the state topic is compacted and expires', () => {
	assert.equal(defaultJobTopic('ml.pipeline.input'), 'ml.pipeline.input.jobs');
	assert.equal(defaultJobStateTopic('ml.pipeline.input'), 'ml.pipeline.input.jobs.state');
	assert.deepEqual(jobTopicSpec('t.jobs', 1000), {topic: 't.jobs', numPartitions: 6, config: {'cleanup.policy': 'delete', 'retention.ms': '1000'}});
	const state = jobStateTopicSpec('t.jobs.state', 604_800_000);
	assert.equal(state.numPartitions, 6);
	assert.equal(state.config?.['cleanup.policy'], 'compact,delete');
	assert.equal(state.config?.['retention.ms'], '604800000');
	assert.equal(state.config?.['segment.ms'], '3600000');
});
