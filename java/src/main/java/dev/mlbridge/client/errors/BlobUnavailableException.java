package dev.mlbridge.client.errors;

/**
 * {@code BLOB_UNAVAILABLE}: a payload passed by reference (claim check) could not be read: the blob is
 * missing, truncated, does not match its SHA-256, or its store is unreachable ({@code details.type()}:
 * {@code BlobMissing}, {@code BlobCorrupt}, {@code BlobStoreUnreachable}). The request was dead-lettered.
 */
public class BlobUnavailableException extends RemoteException {
    public BlobUnavailableException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
