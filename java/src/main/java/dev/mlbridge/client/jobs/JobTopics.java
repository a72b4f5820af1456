package dev.mlbridge.client.jobs;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The two topics of the jobs protocol (docs/jobs.md), named after the request topic on both sides
 * and created as the TypeScript client creates them (src/jobs/job-topics.ts).
 */
public final class JobTopics {
    /** Partitions of both job topics when a client creates them. */
    public static final int PARTITIONS = 6;
    /** Job requests and states are kept this long: 7 days. */
    public static final Duration RETENTION = Duration.ofDays(7);

    private JobTopics() {}

    /** {@code <requestTopic>.jobs}: the job requests. */
    public static String jobTopic(String requestTopic) {
        return requestTopic + ".jobs";
    }

    /** {@code <requestTopic>.jobs.state}: the job records (and call cancellations). */
    public static String stateTopic(String requestTopic) {
        return requestTopic + ".jobs.state";
    }

    /**
     * Both topics: requests deleted after the retention; state compacted (the newest record per id
     * is the state) and deleted after the retention, with hour-long segments so compaction runs often.
     */
    public static List<NewTopic> specs(String requestTopic) {
        long retention = RETENTION.toMillis();
        return List.of(
                new NewTopic(jobTopic(requestTopic), PARTITIONS, (short) -1).configs(Map.of(
                        "cleanup.policy", "delete", "retention.ms", String.valueOf(retention))),
                new NewTopic(stateTopic(requestTopic), PARTITIONS, (short) -1).configs(Map.of(
                        "cleanup.policy", "compact,delete",
                        "retention.ms", String.valueOf(retention),
                        "segment.ms", String.valueOf(Math.min(3_600_000, retention)),
                        "min.cleanable.dirty.ratio", "0.1")));
    }
}
