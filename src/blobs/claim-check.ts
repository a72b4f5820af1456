/**
 * The client's side of the claim check (docs/protocol.md, "Large payloads by reference"): args above
 * the threshold are written to the store and the request carries a BlobRef; a result that arrives as
 * a BlobRef is fetched, verified and deleted. Failures become BlobUnavailableError naming the call.
 */
import type {ReplyEnvelope} from '../codec/index.js';
import {BlobUnavailableError} from '../errors/index.js';
import {BlobStoreError} from './blob-errors.js';
import {blobRefSchemaRef, decodeBlobRef, encodeBlobRef} from './blob-ref.js';
import {type BlobStore, DEFAULT_BLOB_STORE_URL, DEFAULT_BLOB_THRESHOLD_BYTES, openBlobStore} from './blob-store.js';

/** Client option `largePayloads`: where bodies too large for a record go, and from what size. */
export type LargePayloadOptions = {
	/** @default `MLBRIDGE_BLOB_STORE`, else `"file:///shared/mlbridge-blobs"` */
	readonly store?: string;
	/**
	 * Bodies larger than this go by reference; keep it under the topics' max.message.bytes.
	 * @default 921_600 (900 KiB)
	 */
	readonly thresholdBytes?: number;
};

/** An args body after the claim check: inline, or a reference to the blob to delete when the call ends. */
export type OffloadedArgs = {readonly args: Buffer; readonly argsSchema: string; readonly uri: string | undefined};

export class ClaimCheck {
	readonly storeUrl: string;
	readonly thresholdBytes: number;
	#store: Promise<BlobStore> | undefined;

	constructor(options: LargePayloadOptions = {}) {
		this.storeUrl = options.store ?? process.env['MLBRIDGE_BLOB_STORE'] ?? DEFAULT_BLOB_STORE_URL;
		this.thresholdBytes = options.thresholdBytes ?? DEFAULT_BLOB_THRESHOLD_BYTES;
		if (!Number.isSafeInteger(this.thresholdBytes) || this.thresholdBytes < 0) {
			throw new TypeError(`Expected \`largePayloads.thresholdBytes\` to be an integer >= 0, got ${String(options.thresholdBytes)}`);
		}
	}

	/** The store, opened on first use (an `s3://` store loads the AWS SDK only then). */
	async store(): Promise<BlobStore> {
		this.#store ??= openBlobStore(this.storeUrl);
		return this.#store;
	}

	/**
	 * Write `args` to the store when above the threshold; rejects with BlobUnavailableError (`origin: 'local'`).
	 * `name`: the blob's name (default `<requestId>.args`).
	 */
	async offload(requestId: string, pipeline: string, args: Buffer, argsSchema: string, name = `${requestId}.args`): Promise<OffloadedArgs> {
		if (args.length <= this.thresholdBytes) return {args, argsSchema, uri: undefined};
		try {
			const stored = await (await this.store()).put(name, args);
			return {args: encodeBlobRef({...stored, schema: argsSchema}), argsSchema: blobRefSchemaRef, uri: stored.uri};
		} catch (error) {
			throw unavailable(requestId, pipeline, error, 'local');
		}
	}

	/** The reply with its result fetched when it came by reference (the blob is deleted once read). */
	async resolve(reply: ReplyEnvelope, pipeline: string): Promise<ReplyEnvelope> {
		if (reply.status !== 'OK' || reply.resultSchema !== blobRefSchemaRef) return reply;
		try {
			const ref = decodeBlobRef(reply.result);
			const store = await this.store();
			const result = await store.get(ref.uri, ref.size, ref.sha256);
			await store.delete(ref.uri).catch(() => undefined); // the TTL sweep gets it otherwise
			return {...reply, result, resultSchema: ref.schema};
		} catch (error) {
			throw unavailable(reply.id, pipeline, error, reply.runner);
		}
	}

	/**
	 * A body that may be a reference, fetched and verified but not deleted (a job's args and result
	 * are read again by any client that reattaches). Rejects with BlobUnavailableError.
	 */
	async fetch(body: Buffer, schema: string, id: string, pipeline: string, runner: string): Promise<{body: Buffer; schema: string}> {
		if (schema !== blobRefSchemaRef) return {body, schema};
		try {
			const ref = decodeBlobRef(body);
			return {body: await (await this.store()).get(ref.uri, ref.size, ref.sha256), schema: ref.schema};
		} catch (error) {
			throw unavailable(id, pipeline, error, runner);
		}
	}

	/** Delete an args blob once its call has ended (replied, failed or given up). */
	release(uri: string | undefined): void {
		if (uri !== undefined) void this.store().then(async store => store.delete(uri)).catch(() => undefined);
	}
}

/** Whether a reply's result came by reference. */
export function isByReference(reply: ReplyEnvelope): boolean {
	return reply.status === 'OK' && reply.resultSchema === blobRefSchemaRef;
}

/** A body that came by reference, read by a side without a store: what to configure. */
export function noStoreError(id: string, pipeline: string, runner: string): BlobUnavailableError {
	const details = {code: 'BLOB_UNAVAILABLE', type: 'BlobStoreUnreachable', message: 'The body came by reference and this client has no `largePayloads` store', traceback: '', retryable: false, causes: []};
	return new BlobUnavailableError(id, pipeline, details, runner);
}

function unavailable(requestId: string, pipeline: string, error: unknown, runner: string): BlobUnavailableError {
	const kind = error instanceof BlobStoreError ? error.kind : 'BlobStoreUnreachable';
	const message = error instanceof Error ? error.message : String(error);
	return new BlobUnavailableError(requestId, pipeline, {code: 'BLOB_UNAVAILABLE', type: kind, message, traceback: '', retryable: false, causes: []}, runner, error);
}
