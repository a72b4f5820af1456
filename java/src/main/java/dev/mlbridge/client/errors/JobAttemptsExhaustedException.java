package dev.mlbridge.client.errors;

/** {@code JOB_ATTEMPTS_EXHAUSTED}: A job's runner died during each of its allowed attempts. */
public class JobAttemptsExhaustedException extends RemoteException {
    public JobAttemptsExhaustedException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
