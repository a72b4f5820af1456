package dev.mlbridge.client;

import dev.mlbridge.client.codec.CodecException;
import dev.mlbridge.client.codec.Envelopes;
import dev.mlbridge.client.codec.ReplyEnvelope;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The thread that reads this client's reply topic. The topic is this instance's alone and deleted
 * on close, so it is assigned (no consumer group, nothing committed) and read from the start.
 * {@code read_committed}: replies of a transactional runner are seen only once committed.
 */
final class ReplyLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(ReplyLoop.class.getName());

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition partition;
    private final Consumer<ReplyEnvelope> onReply;
    private final BiConsumer<String, String> onUnknownVersion;
    /** Completes once the consumer has its start position: no reply can arrive unread after that. */
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile boolean stopping;

    /** @param onUnknownVersion (request id, message) of a reply whose envelope version this client does not know */
    ReplyLoop(ClientOptions options, Consumer<ReplyEnvelope> onReply, BiConsumer<String, String> onUnknownVersion) {
        Properties props = options.kafka();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.brokers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, options.clientId() + "-replies");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.partition = new TopicPartition(options.replyTopic(), 0);
        this.onReply = onReply;
        this.onUnknownVersion = onUnknownVersion;
    }

    @Override
    public void run() {
        try {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            consumer.position(partition, Duration.ofSeconds(30));
            ready.complete(null);
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    handle(record.value());
                }
            }
        } catch (WakeupException e) {
            // close(): leave the loop.
        } catch (RuntimeException e) {
            if (!ready.completeExceptionally(e)) {
                LOG.log(Level.SEVERE, "mlbridge: the reply loop stopped", e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void handle(byte[] value) {
        if (value == null) {
            return;
        }
        ReplyEnvelope reply;
        try {
            reply = Envelopes.decodeReply(value);
        } catch (CodecException e) {
            LOG.warning("mlbridge: reply.undecodable (" + e.reason() + "): " + e.getMessage());
            // Every reply version keeps the id first: fail that call now rather than at its deadline.
            if ("unknown-fingerprint".equals(e.reason())) {
                Envelopes.replyId(value).ifPresent(id -> onUnknownVersion.accept(id, e.getMessage()));
            }
            return;
        }
        try {
            onReply.accept(reply);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "mlbridge: reply.handler_failed for " + reply.id(), e);
        }
    }

    void stop() {
        stopping = true;
        consumer.wakeup();
    }
}
