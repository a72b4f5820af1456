import {MlbridgeError} from '../errors/base.js';

/** An operations command (status, gc-replies) got no complete answer from the broker in time. */
export class OperationTimeoutError extends MlbridgeError {
	readonly operation: string;
	readonly timeoutMs: number;

	constructor(operation: string, timeoutMs: number, cause?: unknown) {
		super(`${operation}: no complete answer from the broker within ${timeoutMs} ms`, {code: 'OPERATION_TIMEOUT', retryable: true, cause});
		this.operation = operation;
		this.timeoutMs = timeoutMs;
	}
}

/** Some reply topics could not be deleted (not authorised, broker error): the others were. */
export class ReplyTopicDeleteError extends MlbridgeError {
	readonly topics: readonly string[];

	constructor(topics: readonly string[], cause: unknown) {
		super(`Could not delete reply topic(s) ${topics.join(', ')}: ${cause instanceof Error ? cause.message : String(cause)}`, {code: 'REPLY_TOPIC_DELETE_FAILED', cause});
		this.topics = topics;
	}
}
