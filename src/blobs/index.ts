/** Large payloads by reference (claim check): the stores and the reference. docs/protocol.md, "Large payloads by reference". */
export {type BlobRef, blobRefSchemaRef, decodeBlobRef, encodeBlobRef} from './blob-ref.js';
export {BlobExistsError, type BlobFailureKind, BlobStoreError, BlobStorePackageMissingError} from './blob-errors.js';
export {DEFAULT_JOB_BLOB_AGE_MS, JOB_BLOB_PREFIX, MODEL_BLOB_PREFIX} from './sweep.js';
export {type BlobStore, DEFAULT_BLOB_STORE_URL, DEFAULT_BLOB_THRESHOLD_BYTES, openBlobStore, type StoredBlob} from './blob-store.js';
export {FileBlobStore} from './file-store.js';
export {type S3Api, S3BlobStore} from './s3-store.js';
export {ClaimCheck, isByReference, type LargePayloadOptions, type OffloadedArgs} from './claim-check.js';
