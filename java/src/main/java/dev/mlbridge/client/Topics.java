package dev.mlbridge.client;

import dev.mlbridge.client.jobs.JobTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The topics a client needs, created as the TypeScript client creates them: the request topic
 * ({@code requestPartitions}) when missing, and this instance's reply topic (1 partition,
 * {@code cleanup.policy=delete}, {@code retention.ms} = the reply retention) before any request
 * names it — a runner drops a reply to a topic that does not exist — and the two job topics
 * (docs/jobs.md) when missing.
 */
final class Topics {
    /** Kafka's default {@code max.message.bytes} (1 MiB + record overhead), when the topic's cannot be read. */
    static final long DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

    private Topics() {}

    static void ensure(Admin admin, ClientOptions options, Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<NewTopic> missing = new ArrayList<>();
        if (!existing.contains(options.requestTopic())) {
            missing.add(new NewTopic(options.requestTopic(), options.requestPartitions(), (short) -1));
        }
        for (NewTopic job : JobTopics.specs(options.requestTopic())) {
            if (!existing.contains(job.name())) {
                missing.add(job);
            }
        }
        if (!existing.contains(options.replyTopic())) {
            missing.add(new NewTopic(options.replyTopic(), 1, (short) -1).configs(Map.of(
                    "cleanup.policy", "delete",
                    "retention.ms", String.valueOf(options.replyRetention().toMillis()))));
        }
        for (var entry : admin.createTopics(missing).values().entrySet()) {
            try {
                entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                // A runner or another client created it between listTopics and createTopics.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    static long maxMessageBytes(Admin admin, String topic) {
        try {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(5, TimeUnit.SECONDS).get(resource);
            ConfigEntry entry = config == null ? null : config.get("max.message.bytes");
            return entry == null ? DEFAULT_MAX_MESSAGE_BYTES : Long.parseLong(entry.value());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return DEFAULT_MAX_MESSAGE_BYTES;
        }
    }
}
