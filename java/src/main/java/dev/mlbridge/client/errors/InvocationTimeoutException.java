package dev.mlbridge.client.errors;

import java.time.Duration;

/** No reply arrived before the call's deadline (local; the runner skips the request once it is past). */
public class InvocationTimeoutException extends MlbridgeException {
    private final String pipeline;
    private final Duration timeout;

    public InvocationTimeoutException(String requestId, String pipeline, Duration timeout) {
        super("No reply for " + pipeline + " (request " + requestId + ") within " + timeout.toMillis() + " ms",
                "INVOCATION_TIMEOUT", requestId, true, null);
        this.pipeline = pipeline;
        this.timeout = timeout;
    }

    public String pipeline() {
        return pipeline;
    }

    public Duration timeout() {
        return timeout;
    }
}
