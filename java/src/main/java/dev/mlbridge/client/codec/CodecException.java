package dev.mlbridge.client.codec;

/**
 * Bytes that are not what the wire contract says: a short or unframed message, an unknown schema
 * fingerprint, a truncated or malformed Avro body. {@code reason} is a stable word for logs.
 */
public class CodecException extends RuntimeException {
    private final String reason;

    public CodecException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public CodecException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** {@code too-short}, {@code bad-magic}, {@code unknown-fingerprint} or {@code bad-body}. */
    public String reason() {
        return reason;
    }
}
