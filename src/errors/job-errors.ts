import {MlbridgeError} from './base.js';
import {RemoteError, type RemoteErrorDetails} from './remote-errors.js';

/**
 * Errors of jobs (client.submit / client.job). Each carries `jobId`, and `requestId` = the job id
 * so code written for calls keeps working.
 *
 * MlbridgeError
 * ├── JobNotFoundError            no job with that id in the job state topic (after reading it to its end)
 * ├── JobCancelledError           the job was cancelled (before it started, or while it ran)
 * └── RemoteError
 *     ├── JobAttemptsExhaustedError  the job's runner died during each of its allowed attempts
 *     └── ResultTooLargeError        the result is larger than the reply or job state topic accepts
 *
 * A job that failed for any other reason rejects with the call errors (PipelineError, …).
 */

export class JobNotFoundError extends MlbridgeError {
	readonly jobId: string;

	constructor(jobId: string) {
		super(`No job ${JSON.stringify(jobId)} in the job state topic (read to its end)`, {code: 'JOB_NOT_FOUND', requestId: jobId});
		this.jobId = jobId;
	}
}

export class JobCancelledError extends MlbridgeError {
	readonly jobId: string;
	readonly pipeline: string;
	/** What the canceller or the runner said, e.g. `cancelled while queued`; `""` when nothing. */
	readonly reason: string;
	/** The runner that stopped the job; `""` when it never started. */
	readonly runner: string;

	constructor(jobId: string, pipeline: string, reason = '', runner = '') {
		super(`Job ${jobId} (${pipeline}) was cancelled${reason === '' ? '' : `: ${reason}`}`, {code: 'CANCELLED', requestId: jobId});
		this.jobId = jobId;
		this.pipeline = pipeline;
		this.reason = reason;
		this.runner = runner;
	}
}

export class JobAttemptsExhaustedError extends RemoteError {
	readonly jobId: string;
	/** Attempts started; -1 when unknown (the error arrived as a call reply). */
	readonly attempts: number;
	/** The job's limit; -1 when unknown. */
	readonly maxAttempts: number;

	constructor(jobId: string, pipeline: string, details: RemoteErrorDetails, runner: string, attempts = -1, maxAttempts = -1) {
		super(jobId, pipeline, details, runner);
		this.jobId = jobId;
		this.attempts = attempts;
		this.maxAttempts = maxAttempts;
	}
}

/**
 * The pipeline's result did not fit the topic it had to be written to. Calls get it too: `jobId`
 * is then the request id.
 *
 * The reply carries the sizes in its message, in a fixed form the runner writes
 * (`<size> bytes encoded`, and `the limit is <limit> bytes` when the runner's producer refused it):
 * `sizeBytes` and `limitBytes` are read from there, -1 when the message does not state one (the
 * broker refused the reply: the topic's `max.message.bytes` is the limit, which the runner does not
 * know).
 */
export class ResultTooLargeError extends RemoteError {
	readonly jobId: string;
	/** The encoded reply (or job record) the result had to travel in; -1 when not stated. */
	readonly sizeBytes: number;
	/** The limit it exceeded; -1 when not stated. */
	readonly limitBytes: number;

	constructor(requestId: string, pipeline: string, details: RemoteErrorDetails, runner: string) {
		super(requestId, pipeline, details, runner);
		this.jobId = requestId;
		this.sizeBytes = bytesIn(details.message, /(\d+) bytes encoded/) ?? bytesIn(details.message, /\((\d+) bytes\)/) ?? -1;
		this.limitBytes = bytesIn(details.message, /the limit is (\d+) bytes/) ?? -1;
	}
}

function bytesIn(message: string, pattern: RegExp): number | undefined {
	const match = pattern.exec(message);
	return match === null ? undefined : Number(match[1]);
}
