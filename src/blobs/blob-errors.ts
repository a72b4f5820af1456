/**
 * Why a blob could not be read or written. The client turns it into BlobUnavailableError (code
 * BLOB_UNAVAILABLE) naming the request; the runner answers the same code with `type` = the kind.
 */

/** `BlobMissing`: no such blob; `BlobCorrupt`: wrong size or SHA-256; `BlobStoreUnreachable`: the store failed. */
export type BlobFailureKind = 'BlobMissing' | 'BlobCorrupt' | 'BlobStoreUnreachable';

export class BlobStoreError extends Error {
	override readonly name = 'BlobStoreError';

	constructor(
		readonly kind: BlobFailureKind,
		readonly uri: string,
		message: string,
		options?: {cause?: unknown},
	) {
		super(`${kind}: ${uri}: ${message}`, options);
	}
}

/** `putNew` found a blob of that name already: blobs written that way (model versions) are immutable. */
export class BlobExistsError extends Error {
	override readonly name = 'BlobExistsError';

	constructor(readonly uri: string) {
		super(`${uri.slice(0, 300)} already exists`);
	}
}

/** An optional package the chosen store needs is not installed. */
export class BlobStorePackageMissingError extends Error {
	override readonly name = 'BlobStorePackageMissingError';

	constructor(readonly packageName: string, options?: {cause?: unknown}) {
		super(`the S3 blob store needs the optional package ${packageName}: npm install ${packageName}`, options);
	}
}
