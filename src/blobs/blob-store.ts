/**
 * The one small interface every blob store implements, on both sides (python-runner's blobs/ is its
 * twin), and the factory that picks one from a URL: `file:///dir` (a directory on a shared
 * filesystem, the default) or `s3://bucket/prefix` (any S3-compatible store).
 */

/** What a stored blob is: the uri to read it back, its length and SHA-256 (lowercase hex). */
export type StoredBlob = {readonly uri: string; readonly size: number; readonly sha256: string};

export interface BlobStore {
	/** The store's own URL (`file:///shared/mlbridge-blobs`, `s3://bucket/prefix`). */
	readonly url: string;
	/** Write `body` under a new name (`name`: unique, e.g. the request id plus a role), hashing as it goes. */
	put(name: string, body: Uint8Array): Promise<StoredBlob>;
	/**
	 * As put, but only if no blob `name` exists (create-if-absent: racing writers of one name, e.g.
	 * a model version, get one winner). Rejects with BlobExistsError.
	 */
	putNew(name: string, body: Uint8Array): Promise<StoredBlob>;
	/**
	 * Read a blob whole, checking its length and SHA-256 as it streams in (one buffer of `size`
	 * bytes, no second copy). Rejects with BlobStoreError: BlobMissing, BlobCorrupt, BlobStoreUnreachable.
	 */
	get(uri: string, size: number, sha256: string): Promise<Buffer>;
	/** Delete a blob; a blob already gone is fine. */
	delete(uri: string): Promise<void>;
	/**
	 * Delete blobs written more than `olderThanMs` ago (callers that died), jobs' blobs (`job-…`)
	 * more than `jobOlderThanMs` ago (default 7 days, the jobs' retention); returns how many.
	 */
	sweep(olderThanMs: number, jobOlderThanMs?: number): Promise<number>;
}

/** The default store: a directory every client and runner can reach. */
export const DEFAULT_BLOB_STORE_URL = 'file:///shared/mlbridge-blobs';

/** Bodies larger than this go by reference: under the topics' default max.message.bytes (1 MiB). */
export const DEFAULT_BLOB_THRESHOLD_BYTES = 900 * 1024;

/** Open the store a URL names; `s3://` loads `@aws-sdk/client-s3` (an optional peer) only then. */
export async function openBlobStore(url: string): Promise<BlobStore> {
	if (url.startsWith('file://')) {
		const {FileBlobStore} = await import('./file-store.js');
		return new FileBlobStore(url);
	}

	if (url.startsWith('s3://')) {
		const {S3BlobStore} = await import('./s3-store.js');
		return S3BlobStore.open(url);
	}

	throw new Error(`unsupported blob store URL ${url.slice(0, 200)}: expected file:///dir or s3://bucket/prefix`);
}
