package dev.mlbridge.client.catalog;

import dev.mlbridge.client.codec.CodecException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * This client's view of the catalogue topic: the newest entry per pipeline version (tombstones
 * retire keys) and every typed schema by ref. One thread tails the whole compacted topic from the
 * beginning (assigned, nothing committed), waiting for the topic while no runner has created it.
 */
public final class CatalogView implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CatalogView.class.getName());

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Thread thread;
    /** name → version → entry. */
    private final Map<String, TreeMap<Integer, CatalogEntry>> pipelines = new ConcurrentHashMap<>();
    /** ref → parsed schema; kept after a retire: replies written with it may still arrive. */
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public CatalogView(Properties kafka, String brokers, String clientId, String topic) {
        kafka.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        kafka.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-catalog");
        kafka.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        kafka.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        this.consumer = new KafkaConsumer<>(kafka, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.thread = new Thread(this::run, "mlbridge-catalog-" + clientId);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** The newest version of pipeline {@code name} a runner published, if any. */
    public Optional<CatalogEntry> newest(String name) {
        TreeMap<Integer, CatalogEntry> versions = pipelines.get(name);
        if (versions == null) {
            return Optional.empty();
        }
        synchronized (versions) {
            return versions.isEmpty() ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
        }
    }

    /** The newest entry of every pipeline, sorted by name. */
    public List<CatalogEntry> pipelines() {
        return new TreeMap<>(pipelines).keySet().stream().map(this::newest).flatMap(Optional::stream).toList();
    }

    /** The schema a {@code crc64:} ref names, if the catalogue has published it. */
    public Optional<Schema> schema(String ref) {
        return Optional.ofNullable(schemas.get(ref));
    }

    private void run() {
        try {
            List<TopicPartition> partitions = List.of();
            while (!closed && partitions.isEmpty()) {
                partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                for (int i = 0; i < 10 && !closed && partitions.isEmpty(); i++) {
                    Thread.sleep(100); // no catalogue topic yet; close() sees this within 0.1 s
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    apply(record);
                }
            }
        } catch (WakeupException | InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
            // close()
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.log(Level.WARNING, "mlbridge: catalog.tail_stopped on " + topic, e);
            }
        } finally {
            // close() may have interrupted this thread: consumer.close() would throw on the flag.
            Thread.interrupted();
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            return;
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        if (!key.startsWith("pipeline/")) {
            return;
        }
        int slash = key.lastIndexOf('/');
        String name = key.substring("pipeline/".length(), Math.max(slash, "pipeline/".length()));
        if (record.value() == null) {
            TreeMap<Integer, CatalogEntry> versions = pipelines.get(name);
            if (versions != null) {
                synchronized (versions) {
                    versions.remove(Integer.valueOf(key.substring(slash + 1)));
                }
            }
            return;
        }
        CatalogEntry entry;
        try {
            entry = CatalogEntry.decode(record.value());
        } catch (CodecException | NumberFormatException e) {
            LOG.fine("mlbridge: catalog.undecodable key " + key + ": " + e);
            return;
        }
        if (!"PIPELINE".equals(entry.kind()) || !key.equals("pipeline/" + entry.name() + "/" + entry.version())) {
            return;
        }
        if (entry.typed() && !addSchema(entry.argsRef(), entry.argsSchema()) | !addSchema(entry.resultRef(), entry.resultSchema())) {
            return;
        }
        TreeMap<Integer, CatalogEntry> versions = pipelines.computeIfAbsent(entry.name(), k -> new TreeMap<>());
        synchronized (versions) {
            versions.put(entry.version(), entry);
        }
    }

    private boolean addSchema(String ref, String text) {
        try {
            schemas.computeIfAbsent(ref, r -> new Schema.Parser().parse(text));
            return true;
        } catch (SchemaParseException e) {
            LOG.warning("mlbridge: catalog.bad_schema " + ref + ": " + e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        // wakeup() ends a poll or partitionsFor in progress, or the next one. No interrupt: one that
        // lands inside consumer.close() makes Kafka log an InterruptedException trace on every close.
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
