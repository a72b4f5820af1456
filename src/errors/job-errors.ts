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
 * The pipeline's result did not fit the topic it had to be written to (the runner's message names
 * the limit). Calls get it too: `jobId` is then the request id.
 */
export class ResultTooLargeError extends RemoteError {
	readonly jobId: string;

	constructor(requestId: string, pipeline: string, details: RemoteErrorDetails, runner: string) {
		super(requestId, pipeline, details, runner);
		this.jobId = requestId;
	}
}
