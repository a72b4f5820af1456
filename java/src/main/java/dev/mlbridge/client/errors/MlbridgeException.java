package dev.mlbridge.client.errors;

/**
 * Root of every exception the client completes a call with. Tell them apart with the subclasses or
 * the stable {@link #code()} (shared with the TypeScript client and the Python runner), never by
 * message text.
 */
public class MlbridgeException extends RuntimeException {
    private final String code;
    private final String requestId;
    private final boolean retryable;

    public MlbridgeException(String message, String code, String requestId, boolean retryable, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.requestId = requestId;
        this.retryable = retryable;
    }

    /** A code of {@code schemas/error-codes.json}, or a local one ({@code INVOCATION_TIMEOUT}, …). */
    public String code() {
        return code;
    }

    /** The request this failure belongs to; null when there is none. */
    public String requestId() {
        return requestId;
    }

    /** Whether sending the same call again may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
