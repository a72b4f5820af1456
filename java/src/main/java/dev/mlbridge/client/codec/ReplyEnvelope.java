package dev.mlbridge.client.codec;

import java.util.List;

/** The runner's answer to one request ({@code schemas/reply.avsc}). */
public record ReplyEnvelope(
        String id,
        Status status,
        byte[] result,
        String resultSchema,
        Error error,
        Progress progress,
        String runner,
        Timings timings) {

    public enum Status { OK, ERROR, PROGRESS }

    /** RemoteError: {@code code} is one of {@code schemas/error-codes.json}. */
    public record Error(String code, String type, String message, String traceback, boolean retryable, List<Cause> causes) {}

    public record Cause(String type, String message) {}

    /** {@code total} is null when the pipeline did not say. */
    public record Progress(double current, Double total, String message) {}

    /** Epoch milliseconds on the runner's clock. */
    public record Timings(long receivedAtMs, long startedAtMs, long finishedAtMs) {}
}
