package dev.mlbridge.client.jobs;

import dev.mlbridge.client.codec.JobRecord;
import java.util.Set;

/**
 * Which jobs {@code client.jobs(filter)} lists, newest submitted first.
 *
 * @param pipeline null: every pipeline
 * @param states   empty: every state
 * @param limit    at most this many (>= 1)
 */
public record JobFilter(String pipeline, Set<JobRecord.State> states, int limit) {
    public static final JobFilter ALL = new JobFilter(null, Set.of(), 100);

    public JobFilter {
        states = states == null ? Set.of() : Set.copyOf(states);
        if (limit < 1) {
            throw new IllegalArgumentException("Expected `limit` to be >= 1, got " + limit);
        }
    }

    public static JobFilter pipeline(String pipeline) {
        return new JobFilter(pipeline, Set.of(), 100);
    }

    public JobFilter withStates(JobRecord.State... wanted) {
        return new JobFilter(pipeline, Set.of(wanted), limit);
    }

    public JobFilter withLimit(int max) {
        return new JobFilter(pipeline, states, max);
    }

    boolean matches(JobRecord r) {
        return (pipeline == null || pipeline.equals(r.pipeline())) && (states.isEmpty() || states.contains(r.state()));
    }
}
