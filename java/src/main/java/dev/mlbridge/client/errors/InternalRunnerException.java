package dev.mlbridge.client.errors;

/** {@code INTERNAL}: The runner failed for a reason of its own. */
public class InternalRunnerException extends RemoteException {
    public InternalRunnerException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
