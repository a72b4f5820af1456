package dev.mlbridge.client.errors;

/** {@code CANCELLED}: the call was cancelled (a runner replied CANCELLED). */
public class InvocationCancelledException extends MlbridgeException {
    private final String pipeline;

    public InvocationCancelledException(String requestId, String pipeline, String reason) {
        super("Call to " + pipeline + " (request " + requestId + ") was cancelled" + (reason == null || reason.isEmpty() ? "" : ": " + reason),
                "CANCELLED", requestId, false, null);
        this.pipeline = pipeline;
    }

    public String pipeline() {
        return pipeline;
    }
}
