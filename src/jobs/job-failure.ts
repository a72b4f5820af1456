import {ErrorCode, errorFromReply} from '../errors/error-codes.js';
import type {MlbridgeError} from '../errors/base.js';
import {JobAttemptsExhaustedError, JobCancelledError} from '../errors/job-errors.js';
import type {JobRecord} from './job-record.js';

/**
 * The typed error of a FAILED or CANCELLED job, rebuilt from its record's `error` the way a call's
 * is rebuilt from its reply, with `requestId` = the job id. Cancellation and exhausted attempts
 * get job errors of their own; every other code the call error of that code.
 */
export function jobFailure(record: JobRecord): MlbridgeError {
	const details = record.error ?? {
		code: record.state === 'CANCELLED' ? ErrorCode.CANCELLED : ErrorCode.INTERNAL,
		type: 'MissingError',
		message: '',
		traceback: '',
		retryable: false,
		causes: [],
	};
	if (record.state === 'CANCELLED' || details.code === ErrorCode.CANCELLED) {
		return new JobCancelledError(record.id, record.pipeline, details.message, record.runner);
	}

	if (details.code === ErrorCode.JOB_ATTEMPTS_EXHAUSTED) {
		// The runner that gives up may count the attempt it refused to start: at most maxAttempts ran.
		const attempts = Math.min(record.attempt, record.maxAttempts);
		return new JobAttemptsExhaustedError(record.id, record.pipeline, details, record.runner, attempts, record.maxAttempts);
	}

	return errorFromReply(record.id, record.pipeline, details, record.runner);
}
