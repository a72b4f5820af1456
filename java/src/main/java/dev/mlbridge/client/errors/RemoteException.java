package dev.mlbridge.client.errors;

import java.util.List;

/**
 * A failure a runner reported in a reply (or, with {@link #origin()} {@code "local"}, one the
 * client found before sending, in the same shape). Keeps the remote details.
 */
public abstract class RemoteException extends MlbridgeException {
    private final String pipeline;
    private final RemoteErrorDetails details;
    private final String runner;

    protected RemoteException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(details.message(), details.code(), requestId, details.retryable(), null);
        this.pipeline = pipeline;
        this.details = details;
        this.runner = runner;
    }

    public String pipeline() {
        return pipeline;
    }

    /** The Python exception type: bare for built-ins, module-qualified otherwise. */
    public String remoteType() {
        return details.type();
    }

    /** The formatted Python traceback; empty when the failure was not an exception. */
    public String remoteTraceback() {
        return details.traceback();
    }

    public List<RemoteCause> causes() {
        return details.causes();
    }

    public RemoteErrorDetails details() {
        return details;
    }

    /** Identity of the runner that answered ({@code host/pid/instance}); {@code "local"} when none did. */
    public String runner() {
        return runner;
    }

    /** {@code "local"}: the client found the problem and sent nothing; {@code "remote"}: a runner replied. */
    public String origin() {
        return "local".equals(runner) ? "local" : "remote";
    }
}
