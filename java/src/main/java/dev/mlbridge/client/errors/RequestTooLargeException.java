package dev.mlbridge.client.errors;

/** {@code REQUEST_TOO_LARGE}: the encoded request exceeds the broker's limit; nothing was sent. */
public class RequestTooLargeException extends MlbridgeException {
    private final long sizeBytes;
    private final long limitBytes;

    /** {@code sizeBytes}/{@code limitBytes} are -1 when a runner sent the code. */
    public RequestTooLargeException(String requestId, long sizeBytes, long limitBytes, String message) {
        super(message != null ? message
                : "Request " + requestId + " is " + sizeBytes + " bytes encoded; the limit is " + limitBytes + " bytes. Nothing was sent",
                "REQUEST_TOO_LARGE", requestId, false, null);
        this.sizeBytes = sizeBytes;
        this.limitBytes = limitBytes;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }
}
