package dev.mlbridge.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Options of one call: {@code InvokeOptions.builder().timeout(Duration.ofSeconds(5)).build()}. */
public final class InvokeOptions {
    public static final InvokeOptions DEFAULTS = builder().build();

    private final Duration timeout;
    private final boolean noTimeout;
    private final String idempotencyKey;
    private final Map<String, String> headers;
    private final Consumer<Progress> onProgress;

    private InvokeOptions(Builder b) {
        this.timeout = b.timeout;
        this.noTimeout = b.noTimeout;
        this.idempotencyKey = b.idempotencyKey;
        this.headers = Map.copyOf(b.headers);
        this.onProgress = b.onProgress;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Null: the client's default timeout (unless {@link #noTimeout()}). */
    public Duration timeout() {
        return timeout;
    }

    public boolean noTimeout() {
        return noTimeout;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Consumer<Progress> onProgress() {
        return onProgress;
    }

    public static final class Builder {
        private Duration timeout;
        private boolean noTimeout;
        private String idempotencyKey;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Consumer<Progress> onProgress;

        private Builder() {}

        /**
         * Fail with InvocationTimeoutException when no reply came within this time. Travels to the
         * runner as the request's deadline (epoch ms): a runner that picks the request up later
         * answers DEADLINE_EXCEEDED without running it.
         */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("Expected `timeout` to be a duration > 0, got " + timeout);
            }
            this.timeout = timeout;
            this.noTimeout = false;
            return this;
        }

        /** Wait for the reply however long it takes (deadline 0 on the wire). */
        public Builder noTimeout() {
            this.timeout = null;
            this.noTimeout = true;
            return this;
        }

        /**
         * A key naming this piece of work: a runner that already answered it recently answers from
         * its stored outcome instead of running again. Sent as the {@code idempotency-key} header
         * and as the Kafka record key, so repeats reach the same partition, so the same runner.
         */
        public Builder idempotencyKey(String key) {
            if (key == null || key.isEmpty() || key.length() > 256) {
                throw new IllegalArgumentException("Expected `idempotencyKey` to be a string of 1 to 256 characters, got " + key);
            }
            this.idempotencyKey = key;
            return this;
        }

        /** An extra header carried to the runner in the request envelope (e.g. W3C {@code traceparent}). */
        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** Called for each progress report, on the client's reply thread: keep it short. */
        public Builder onProgress(Consumer<Progress> onProgress) {
            this.onProgress = onProgress;
            return this;
        }

        public InvokeOptions build() {
            return new InvokeOptions(this);
        }
    }
}
