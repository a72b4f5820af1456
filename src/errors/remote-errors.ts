import {MlbridgeError} from './base.js';

/**
 * Errors the runner reported in a reply. Each is rebuilt from the structured RemoteError on the
 * wire (schemas/reply.avsc) and keeps the remote details.
 *
 * RemoteError (abstract)
 * ├── UnknownPipelineError     no pipeline of that name is registered
 * ├── InvalidArgumentsError    arguments do not fit the pipeline's signature
 * ├── PipelineError            the pipeline raised (remoteType, remoteTraceback, causes)
 * ├── PipelineTimeoutError     the pipeline ran past its time limit
 * ├── DeadlineExceededError    the request expired before a runner could start it
 * ├── ResultNotEncodableError  the pipeline returned something the wire cannot carry
 * ├── PoisonMessageError       runners died running it --max-deliveries times: dead-lettered as poison
 * ├── BlobUnavailableError     a payload passed by reference could not be read (missing, corrupt, store down)
 * └── RunnerError              the runner failed for its own reasons (INTERNAL, UNDECODABLE_REQUEST, …)
 */

/** One link of the remote exception's cause chain. */
export type RemoteCause = {readonly type: string; readonly message: string};

/** The structured failure carried in a reply. */
export type RemoteErrorDetails = {
	readonly code: string;
	readonly type: string;
	readonly message: string;
	readonly traceback: string;
	readonly retryable: boolean;
	readonly causes: readonly RemoteCause[];
};

export abstract class RemoteError extends MlbridgeError {
	readonly pipeline: string;
	/** Exception type on the runner, e.g. `ValueError`. */
	readonly remoteType: string;
	/** Formatted Python traceback; empty when the failure was not an exception. */
	readonly remoteTraceback: string;
	readonly causes: readonly RemoteCause[];
	/** Identity of the runner that answered (host/pid/instance). */
	readonly runner: string;
	/** `'local'`: the client found the problem itself and sent nothing; `'remote'`: a runner replied. */
	readonly origin: 'local' | 'remote';

	/** `runner` is `"local"` when the client itself found the problem before sending. */
	constructor(requestId: string, pipeline: string, details: RemoteErrorDetails, runner: string, cause?: unknown) {
		super(details.message, {code: details.code, requestId, retryable: details.retryable, cause});
		this.pipeline = pipeline;
		this.remoteType = details.type;
		this.remoteTraceback = details.traceback;
		this.causes = details.causes;
		this.runner = runner;
		this.origin = runner === 'local' ? 'local' : 'remote';
	}
}

export class UnknownPipelineError extends RemoteError {}
export class InvalidArgumentsError extends RemoteError {}
export class PipelineError extends RemoteError {}
export class PipelineTimeoutError extends RemoteError {}
export class DeadlineExceededError extends RemoteError {}
export class ResultNotEncodableError extends RemoteError {}
/**
 * The runner process died each time it ran this request (a segfault, `os._exit`, the OOM killer), as
 * many times as the runners allow; it went to the dead-letter topic with reason `poison` instead of
 * taking down the next runner. Retrying it would do the same: fix the pipeline or the input.
 */
export class PoisonMessageError extends RemoteError {}
/**
 * `BLOB_UNAVAILABLE`: a payload passed by reference (claim check, docs/protocol.md "Large payloads by
 * reference") could not be read: `details.type` says how (`BlobMissing`, `BlobCorrupt`,
 * `BlobStoreUnreachable`). From the runner (the args blob; the request was dead-lettered) or from
 * this client reading a result blob (`runner` is then the runner that wrote it).
 */
export class BlobUnavailableError extends RemoteError {}
export class RunnerError extends RemoteError {}
