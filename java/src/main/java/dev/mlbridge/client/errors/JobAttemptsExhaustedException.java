package dev.mlbridge.client.errors;

/** {@code JOB_ATTEMPTS_EXHAUSTED}: A job's runner died during each of its allowed attempts. */
public class JobAttemptsExhaustedException extends RemoteException {
    private final int attempts;
    private final int maxAttempts;

    public JobAttemptsExhaustedException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        this(requestId, pipeline, details, runner, -1, -1);
    }

    public JobAttemptsExhaustedException(String requestId, String pipeline, RemoteErrorDetails details, String runner, int attempts, int maxAttempts) {
        super(requestId, pipeline, details, runner);
        this.attempts = attempts;
        this.maxAttempts = maxAttempts;
    }

    /** Attempts started; -1 when unknown (the error arrived as a call reply). */
    public int attempts() {
        return attempts;
    }

    /** The job's limit; -1 when unknown. */
    public int maxAttempts() {
        return maxAttempts;
    }
}
