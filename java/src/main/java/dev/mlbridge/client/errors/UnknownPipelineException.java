package dev.mlbridge.client.errors;

/** {@code UNKNOWN_PIPELINE}: No pipeline of that name is registered on the runner. */
public class UnknownPipelineException extends RemoteException {
    public UnknownPipelineException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
