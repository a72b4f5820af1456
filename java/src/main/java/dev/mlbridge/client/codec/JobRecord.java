package dev.mlbridge.client.codec;

/**
 * One snapshot of a job (or of a call's cancellation) on the job state topic
 * ({@code schemas/job.avsc}, docs/jobs.md). Times are epoch ms, 0 meaning "not yet".
 *
 * @param args       the arguments as submitted (Avro body written with {@code argsSchema}); empty in CALL records
 * @param checkpoint the pipeline's last checkpoint (a Value body), or null
 * @param result     SUCCEEDED: the result body written with {@code resultSchema}; empty otherwise
 * @param error      FAILED or CANCELLED: what happened (the fields of Reply.error), or null
 */
public record JobRecord(
        String id,
        Subject subject,
        State state,
        String pipeline,
        byte[] args,
        String argsSchema,
        int attempt,
        int maxAttempts,
        String runner,
        String submittedBy,
        long submittedAtMs,
        long startedAtMs,
        long heartbeatAtMs,
        long finishedAtMs,
        long updatedAtMs,
        int progressSeq,
        Progress progress,
        byte[] checkpoint,
        byte[] result,
        String resultSchema,
        ReplyEnvelope.Error error) {

    /** CALL records only cancel a plain invoke; they are never listed as jobs. */
    public enum Subject { JOB, CALL }

    public enum State {
        QUEUED, RUNNING, CANCEL_REQUESTED, SUCCEEDED, FAILED, CANCELLED;

        /** SUCCEEDED, FAILED and CANCELLED: nobody writes over them. */
        public boolean terminal() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }
    }

    /** {@code total} is null when the pipeline did not say; {@code atMs} is the runner's clock. */
    public record Progress(double current, Double total, String message, long atMs) {}

    /** This record in another state, written now by this client (no checkpoint carried: it is never resumed from here). */
    public JobRecord moved(State next, long nowMs, long finishedMs, ReplyEnvelope.Error nextError) {
        return new JobRecord(id, subject, next, pipeline, args, argsSchema, attempt, maxAttempts, runner, submittedBy,
                submittedAtMs, startedAtMs, heartbeatAtMs, finishedMs, nowMs, progressSeq, progress, null, result, resultSchema, nextError);
    }
}
