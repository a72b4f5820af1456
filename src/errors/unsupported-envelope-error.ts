import {RemoteError, type RemoteErrorDetails} from './remote-errors.js';

/** One envelope version the answering runner reads. */
export type KnownEnvelopeVersion = {readonly version: number; readonly fingerprint: string};

/**
 * `UNSUPPORTED_ENVELOPE`: the request's envelope fingerprint is none of the versions the answering
 * runner reads (`schemas/versions/index.json`, docs/protocol.md §14): a client newer than the
 * runner, or a frame of no published version. The request was dead-lettered; retrying against the
 * same runners does the same, so it is not retryable.
 *
 * The runner states the fingerprint and its versions in a fixed form (`fingerprint <16 hex>`,
 * `it reads v<n> <16 hex>[ (current)], …`), read here into properties; a part the message lacks
 * reads as `''` / `[]`.
 */
export class UnsupportedEnvelopeError extends RemoteError {
	/** The request's envelope fingerprint (the 8 bytes after `C3 01`, hex). */
	readonly fingerprint: string;
	/** The versions the runner reads, oldest first. */
	readonly knownVersions: readonly KnownEnvelopeVersion[];
	/** The runner's current request version; `undefined` when the message does not say. */
	readonly runnerVersion: number | undefined;

	constructor(requestId: string, pipeline: string, details: RemoteErrorDetails, runner: string) {
		super(requestId, pipeline, details, runner);
		const message = details.message;
		this.fingerprint = /fingerprint ([0-9a-f]{16})/.exec(message)?.[1] ?? '';
		const reads = message.split('it reads ')[1] ?? '';
		this.knownVersions = [...reads.matchAll(/v(\d+) ([0-9a-f]{16})/g)].map((m) => ({version: Number(m[1]), fingerprint: m[2]!}));
		const current = /v(\d+) [0-9a-f]{16} \(current\)/.exec(message)?.[1];
		this.runnerVersion = current === undefined ? undefined : Number(current);
	}
}
