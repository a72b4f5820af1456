import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {
	DeadlineExceededError,
	ErrorCode,
	InvalidArgumentsError,
	InvocationCancelledError,
	JobAttemptsExhaustedError,
	MlbridgeError,
	PipelineError,
	PipelineTimeoutError,
	PoisonMessageError,
	BlobUnavailableError,
	IncompatibleArgumentsError,
	UnsupportedEnvelopeError,
	RequestTooLargeError,
	ResultNotEncodableError,
	ResultTooLargeError,
	RunnerError,
	UnknownPipelineError,
} from '../../src/index.js';
import {errorFromReply} from '../../src/errors/index.js';

const sharedCodes = JSON.parse(readFileSync('schemas/error-codes.json', 'utf8')) as {codes: Record<string, string>};

test('the TS error codes are exactly schemas/error-codes.json, in its order', () => {
	assert.deepEqual(Object.keys(ErrorCode), Object.keys(sharedCodes.codes));
	for (const [key, value] of Object.entries(ErrorCode)) {
		assert.equal(key, value);
	}
});

test('every remote code becomes its own typed error carrying the request id', () => {
	const expected: Record<string, new (...args: never[]) => MlbridgeError> = {
		UNKNOWN_PIPELINE: UnknownPipelineError,
		INVALID_ARGUMENTS: InvalidArgumentsError,
		PIPELINE_ERROR: PipelineError,
		PIPELINE_TIMEOUT: PipelineTimeoutError,
		CANCELLED: InvocationCancelledError,
		REQUEST_TOO_LARGE: RequestTooLargeError,
		DEADLINE_EXCEEDED: DeadlineExceededError,
		UNDECODABLE_REQUEST: RunnerError,
		RESULT_NOT_ENCODABLE: ResultNotEncodableError,
		INTERNAL: RunnerError,
		RESULT_TOO_LARGE: ResultTooLargeError,
		JOB_ATTEMPTS_EXHAUSTED: JobAttemptsExhaustedError,
		POISON_MESSAGE: PoisonMessageError,
		BLOB_UNAVAILABLE: BlobUnavailableError,
		INCOMPATIBLE_ARGUMENTS: IncompatibleArgumentsError,
		UNSUPPORTED_ENVELOPE: UnsupportedEnvelopeError,
	};
	for (const code of Object.keys(sharedCodes.codes)) {
		const error = errorFromReply('req-1', 'p', {code, type: 'T', message: `m ${code}`, traceback: 'tb', retryable: false, causes: []}, 'r');
		const ErrorClass = expected[code];
		assert.ok(ErrorClass !== undefined, `no expectation for ${code}`);
		assert.ok(error instanceof ErrorClass, `${code} → ${error.name}`);
		assert.ok(error instanceof MlbridgeError);
		assert.equal(error.requestId, 'req-1');
		assert.equal(error.code, code);
		assert.equal(error.name, ErrorClass.name);
	}
});

test('ResultTooLargeError reads the sizes the runner states, -1 for what it does not', () => {
	const details = (message: string) => ({code: 'RESULT_TOO_LARGE', type: 'ResultTooLarge', message, traceback: '', retryable: false, causes: []});
	const refused = errorFromReply('r', 'big', details('the result does not fit a reply: the reply is 2000123 bytes encoded; the limit is 1000000 bytes (the runner\'s message.max.bytes)'), 'x');
	assert.ok(refused instanceof ResultTooLargeError);
	assert.equal(refused.sizeBytes, 2_000_123);
	assert.equal(refused.limitBytes, 1_000_000);
	assert.equal(refused.jobId, 'r');
	const byBroker = errorFromReply('r', 'big', details('the result does not fit a reply: the reply is 900000 bytes encoded; the broker refused it (the reply topic\'s max.message.bytes is the limit)'), 'x');
	assert.ok(byBroker instanceof ResultTooLargeError);
	assert.equal(byBroker.sizeBytes, 900_000);
	assert.equal(byBroker.limitBytes, -1);
	const job = errorFromReply('j', 'train', details('the result (2000 bytes) does not fit the job state topic \'t\''), 'x');
	assert.ok(job instanceof ResultTooLargeError);
	assert.equal(job.sizeBytes, 2000);
	assert.equal(job.limitBytes, -1);
	const silent = errorFromReply('r', 'big', details('too large'), 'x');
	assert.ok(silent instanceof ResultTooLargeError);
	assert.equal(silent.sizeBytes, -1);
	assert.equal(silent.limitBytes, -1);
});

test('an unknown future code is still a typed RunnerError, not a crash', () => {
	const error = errorFromReply('r', 'p', {code: 'SOMETHING_NEW', type: 'X', message: 'm', traceback: '', retryable: true, causes: []}, 'runner');
	assert.ok(error instanceof RunnerError);
	assert.equal(error.retryable, true);
});
