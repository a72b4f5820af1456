package dev.mlbridge.client.jobs;

import dev.mlbridge.client.codec.JobRecord;
import dev.mlbridge.client.codec.ReplyEnvelope;
import dev.mlbridge.client.errors.RemoteErrorDetails;

/**
 * A job's state as the job state topic holds it (the TypeScript client's {@code JobStatus}). Times
 * are epoch ms, 0 meaning "not yet".
 *
 * @param attempt  0 while queued; 1 for the first run, + 1 for each take-over after a runner died
 * @param runner   the runner running (or that ran) it; empty while queued
 * @param progress the last progress reported, or null
 * @param error    FAILED or CANCELLED: what happened, or null
 */
public record JobStatus(
        String id,
        String pipeline,
        JobRecord.State state,
        int attempt,
        int maxAttempts,
        String runner,
        String submittedBy,
        long submittedAtMs,
        long startedAtMs,
        long heartbeatAtMs,
        long finishedAtMs,
        long updatedAtMs,
        JobProgressEvent progress,
        RemoteErrorDetails error,
        boolean hasCheckpoint) {

    static JobStatus of(JobRecord r) {
        return new JobStatus(r.id(), r.pipeline(), r.state(), r.attempt(), r.maxAttempts(), r.runner(), r.submittedBy(),
                r.submittedAtMs(), r.startedAtMs(), r.heartbeatAtMs(), r.finishedAtMs(), r.updatedAtMs(),
                JobProgressEvent.of(r), details(r.error()), r.checkpoint() != null);
    }

    static RemoteErrorDetails details(ReplyEnvelope.Error e) {
        return e == null ? null : RemoteErrorDetails.of(e);
    }

    public boolean terminal() {
        return state.terminal();
    }
}
