package dev.mlbridge.client.blobs;

/**
 * A blob that cannot be read or written. {@code kind} is the remote type the other languages use:
 * {@code BlobMissing}, {@code BlobCorrupt} (length or SHA-256 differ) or {@code BlobStoreUnreachable}.
 */
public class BlobStoreException extends RuntimeException {
    private final String kind;
    private final String uri;

    public BlobStoreException(String kind, String uri, String message, Throwable cause) {
        super(kind + ": " + uri + ": " + message, cause);
        this.kind = kind;
        this.uri = uri;
    }

    public String kind() {
        return kind;
    }

    public String uri() {
        return uri;
    }
}
