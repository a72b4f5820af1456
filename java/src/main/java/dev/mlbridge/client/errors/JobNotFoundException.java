package dev.mlbridge.client.errors;

/** No job with that id in the job state topic (after reading it to its end), or it left with retention. */
public class JobNotFoundException extends MlbridgeException {
    private final String jobId;

    public JobNotFoundException(String jobId) {
        super("No job \"" + jobId + "\" in the job state topic (read to its end)", "JOB_NOT_FOUND", jobId, false, null);
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}
