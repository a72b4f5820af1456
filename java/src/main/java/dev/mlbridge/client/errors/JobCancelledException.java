package dev.mlbridge.client.errors;

/** The job was cancelled (before it started, or while it ran). */
public class JobCancelledException extends MlbridgeException {
    private final String jobId;
    private final String pipeline;
    private final String reason;
    private final String runner;

    public JobCancelledException(String jobId, String pipeline, String reason, String runner) {
        super("Job " + jobId + " (" + pipeline + ") was cancelled" + (reason == null || reason.isEmpty() ? "" : ": " + reason),
                ErrorCodes.CANCELLED, jobId, false, null);
        this.jobId = jobId;
        this.pipeline = pipeline;
        this.reason = reason == null ? "" : reason;
        this.runner = runner == null ? "" : runner;
    }

    public String jobId() {
        return jobId;
    }

    public String pipeline() {
        return pipeline;
    }

    /** What the canceller or the runner said, e.g. {@code cancelled while queued}; empty when nothing. */
    public String reason() {
        return reason;
    }

    /** The runner that stopped the job; empty when it never started. */
    public String runner() {
        return runner;
    }
}
