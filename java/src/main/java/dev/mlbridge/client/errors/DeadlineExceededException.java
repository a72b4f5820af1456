package dev.mlbridge.client.errors;

/** {@code DEADLINE_EXCEEDED}: The request's deadline passed before a runner could start it. */
public class DeadlineExceededException extends RemoteException {
    public DeadlineExceededException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
