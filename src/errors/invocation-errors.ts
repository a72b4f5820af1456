import {MlbridgeError} from './base.js';

/**
 * Errors raised on the calling side, before or instead of a reply.
 *
 * MlbridgeError
 * ├── InvocationTimeoutError   no reply before the caller's deadline
 * ├── InvocationCancelledError the caller's AbortSignal fired
 * ├── RequestTooLargeError     the encoded request exceeds the broker's limit; nothing was sent
 * ├── ClientClosedError        close() ran while the call was pending, or invoke() after close()
 * └── BrokerUnreachableError   the Kafka cluster could not be reached
 */

export class InvocationTimeoutError extends MlbridgeError {
	readonly pipeline: string;
	readonly timeoutMs: number;

	constructor(requestId: string, pipeline: string, timeoutMs: number) {
		super(`No reply for ${pipeline} (request ${requestId}) within ${timeoutMs} ms`, {
			code: 'INVOCATION_TIMEOUT',
			requestId,
			retryable: true,
		});
		this.pipeline = pipeline;
		this.timeoutMs = timeoutMs;
	}
}

export class InvocationCancelledError extends MlbridgeError {
	readonly pipeline: string;

	constructor(requestId: string, pipeline: string, reason?: unknown) {
		super(`Call to ${pipeline} (request ${requestId}) was cancelled`, {
			code: 'CANCELLED',
			requestId,
			cause: reason,
		});
		this.pipeline = pipeline;
	}
}

export class RequestTooLargeError extends MlbridgeError {
	readonly sizeBytes: number;
	readonly limitBytes: number;

	/** `sizeBytes` and `limitBytes` are -1 when a runner sent the code (runners before RESULT_TOO_LARGE used it for an oversized result). */
	constructor(requestId: string, sizeBytes: number, limitBytes: number, message?: string) {
		super(
			message ??
				`Request ${requestId} is ${sizeBytes} bytes encoded; the limit is ${limitBytes} bytes. Nothing was sent`,
			{code: 'REQUEST_TOO_LARGE', requestId},
		);
		this.sizeBytes = sizeBytes;
		this.limitBytes = limitBytes;
	}
}

export class ClientClosedError extends MlbridgeError {
	constructor(requestId?: string) {
		super(
			requestId === undefined
				? 'The client is closed'
				: `The client was closed before request ${requestId} got a reply`,
			{code: 'CLIENT_CLOSED', requestId, retryable: true},
		);
	}
}

export class BrokerUnreachableError extends MlbridgeError {
	readonly brokers: readonly string[];

	constructor(brokers: readonly string[], cause: unknown, requestId?: string) {
		const detail = cause instanceof Error ? `: ${cause.message}` : '';
		super(`Kafka brokers ${brokers.join(',')} are unreachable${detail}`, {
			code: 'BROKER_UNREACHABLE',
			requestId,
			retryable: true,
			cause,
		});
		this.brokers = brokers;
	}
}
