/** Job state records for unit tests, as a runner would write them. */
import {encodeValue, wireSchemas} from '../../src/codec/index.js';
import {encodeJobRecord, type JobRecord} from '../../src/jobs/job-record.js';
import type {TailRecord} from '../../src/transport/transport.js';

export function jobRecord(id: string, overrides: Partial<JobRecord> = {}): JobRecord {
	return {
		id,
		subject: 'JOB',
		state: 'QUEUED',
		pipeline: 'train',
		args: encodeValue({}),
		argsSchema: wireSchemas.value.ref,
		attempt: 0,
		maxAttempts: 3,
		runner: '',
		submittedBy: 'c-other',
		submittedAtMs: 1_000,
		startedAtMs: 0,
		heartbeatAtMs: 0,
		finishedAtMs: 0,
		updatedAtMs: 1_000,
		progressSeq: 0,
		progress: null,
		checkpoint: null,
		result: Buffer.alloc(0),
		resultSchema: '',
		error: null,
		...overrides,
	};
}

/** RUNNING on `runner`, with progress report number `seq`. */
export function runningRecord(id: string, seq: number, overrides: Partial<JobRecord> = {}): JobRecord {
	return jobRecord(id, {
		state: 'RUNNING',
		attempt: 1,
		runner: 'r-1',
		startedAtMs: 2_000,
		heartbeatAtMs: 2_000 + seq,
		updatedAtMs: 2_000 + seq,
		progressSeq: seq,
		progress: seq === 0 ? null : {current: seq, total: 10, message: `step ${seq}`, atMs: 2_000 + seq},
		...overrides,
	});
}

export function succeededRecord(id: string, value: unknown, overrides: Partial<JobRecord> = {}): JobRecord {
	return jobRecord(id, {
		state: 'SUCCEEDED',
		attempt: 1,
		runner: 'r-1',
		finishedAtMs: 9_000,
		updatedAtMs: 9_000,
		result: encodeValue(value),
		resultSchema: wireSchemas.value.ref,
		...overrides,
	});
}

export function failedRecord(id: string, code: string, overrides: Partial<JobRecord> = {}): JobRecord {
	return jobRecord(id, {
		state: code === 'CANCELLED' ? 'CANCELLED' : 'FAILED',
		attempt: 1,
		runner: 'r-1',
		finishedAtMs: 9_000,
		updatedAtMs: 9_000,
		error: {code, type: code === 'PIPELINE_ERROR' ? 'ValueError' : 'X', message: `m ${code}`, traceback: 'tb', retryable: false, causes: []},
		...overrides,
	});
}

export function tailRecord(record: JobRecord): TailRecord {
	return {key: record.id, value: encodeJobRecord(record)};
}
