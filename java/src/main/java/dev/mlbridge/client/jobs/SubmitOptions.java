package dev.mlbridge.client.jobs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** Options of one submit: {@code SubmitOptions.builder().jobId("nightly-2026-12-04").maxAttempts(3).build()}. */
public final class SubmitOptions {
    public static final SubmitOptions DEFAULTS = builder().build();
    private static final Pattern JOB_ID = Pattern.compile("[\\w.:-]{1,200}");

    private final String jobId;
    private final int maxAttempts;
    private final Map<String, String> headers;
    private final Consumer<JobProgressEvent> onProgress;

    private SubmitOptions(Builder b) {
        this.jobId = b.jobId;
        this.maxAttempts = b.maxAttempts;
        this.headers = Map.copyOf(b.headers);
        this.onProgress = b.onProgress;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Null: a random UUID. */
    public String jobId() {
        return jobId;
    }

    /** 0: the default (3, as the TypeScript client's {@code jobMaxAttempts}). */
    public int maxAttempts() {
        return maxAttempts;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Consumer<JobProgressEvent> onProgress() {
        return onProgress;
    }

    public static final class Builder {
        private String jobId;
        private int maxAttempts;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Consumer<JobProgressEvent> onProgress;

        private Builder() {}

        /**
         * The job's id: 1 to 200 characters of {@code [A-Za-z0-9_.:-]}. Submitting an id that already
         * exists returns a handle on that job and runs nothing.
         */
        public Builder jobId(String id) {
            if (id == null || !JOB_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("Expected `jobId` to be 1 to 200 characters of [A-Za-z0-9_.:-], got " + id);
            }
            this.jobId = id;
            return this;
        }

        /** How many runs may start (each runner death costs one) before the job fails with JobAttemptsExhaustedException. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 1000) {
                throw new IllegalArgumentException("Expected `maxAttempts` to be an integer from 1 to 1000, got " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** An extra header carried to the runner in the request envelope (e.g. W3C {@code traceparent}). */
        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** Called for each progress report from the submission on, once and in order, on the client's job thread. */
        public Builder onProgress(Consumer<JobProgressEvent> listener) {
            this.onProgress = listener;
            return this;
        }

        public SubmitOptions build() {
            return new SubmitOptions(this);
        }
    }
}
