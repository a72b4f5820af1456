package dev.mlbridge.client.jobs;

import dev.mlbridge.client.codec.CodecException;
import dev.mlbridge.client.codec.JobRecord;
import dev.mlbridge.client.codec.JobRecords;
import dev.mlbridge.client.errors.BrokerUnreachableException;
import dev.mlbridge.client.errors.ClientClosedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
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
 * This client's index of the job state topic: the newest record of every job, and listeners per
 * job id for the handles. One thread tails every partition from the beginning (assigned, nothing
 * committed) and is started on first use of a job API, so a client that never uses jobs never
 * reads the topic. Listeners run on that thread.
 */
final class JobStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobStore.class.getName());

    /** What a job's listener hears: a new record, the job's removal (retention), or close(). */
    record Event(Kind kind, JobRecord record) {
        enum Kind { RECORD, REMOVED, CLOSED }
    }

    private record SyncRequest(CompletableFuture<Void> done) {}

    private final Properties consumerProps;
    private final String topic;
    private final String brokers;
    private final Duration syncTimeout;
    private final Map<String, JobRecord> jobs = new ConcurrentHashMap<>();
    private final Map<String, Set<Consumer<Event>>> listeners = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<SyncRequest> syncRequests = new ConcurrentLinkedQueue<>();
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;
    private volatile boolean closed;

    JobStore(Properties kafka, String brokers, String clientId, String topic, Duration syncTimeout) {
        Properties props = kafka;
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-jobs");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        this.consumerProps = props;
        this.topic = topic;
        this.brokers = brokers;
        this.syncTimeout = syncTimeout;
    }

    /** Start tailing (once) and wait until every record written before this call has been read. */
    void sync(String jobId) {
        checkOpen(jobId);
        start();
        SyncRequest request = new SyncRequest(new CompletableFuture<>());
        syncRequests.add(request);
        try {
            request.done().get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnreachableException(brokers, e, jobId);
        } catch (Exception e) {
            checkOpen(jobId);
            throw new BrokerUnreachableException(brokers, new IllegalStateException(
                    "The job state topic " + topic + " could not be read to its end within " + syncTimeout.toMillis() + " ms", e), jobId);
        }
    }

    /** The newest record of {@code id}, reading the topic to its end first when the index lacks it. */
    JobRecord find(String id) {
        JobRecord known = jobs.get(id);
        if (known != null) {
            return known;
        }
        sync(id);
        return jobs.get(id);
    }

    /** The indexed record of {@code id}, without reading anything. */
    JobRecord get(String id) {
        return jobs.get(id);
    }

    List<JobRecord> list(JobFilter filter) {
        List<JobRecord> matching = new ArrayList<>();
        for (JobRecord r : jobs.values()) {
            if (filter.matches(r)) {
                matching.add(r);
            }
        }
        matching.sort(Comparator.comparingLong(JobRecord::submittedAtMs).reversed().thenComparing(JobRecord::id));
        return matching.subList(0, Math.min(filter.limit(), matching.size()));
    }

    /** Hear every new record of {@code id} (and its removal, and close()). Returns the unsubscribe. */
    Runnable watch(String id, Consumer<Event> listener) {
        if (closed) {
            listener.accept(new Event(Event.Kind.CLOSED, null));
            return () -> {};
        }
        Set<Consumer<Event>> set = listeners.computeIfAbsent(id, k -> new CopyOnWriteArraySet<>());
        set.add(listener);
        return () -> {
            set.remove(listener);
            listeners.computeIfPresent(id, (k, s) -> s.isEmpty() ? null : s);
        };
    }

    /**
     * Index a record (read from the topic, or just written by this client so its own handles see
     * it at once). A terminal state stays: a later non-terminal record was written by someone who
     * had not seen it yet (a cancel racing the job's end).
     */
    void remember(JobRecord record) {
        if (closed) {
            return;
        }
        JobRecord[] applied = {null};
        jobs.compute(record.id(), (id, previous) -> {
            if (previous != null && previous.state().terminal() && !record.state().terminal()) {
                return previous;
            }
            applied[0] = record;
            return record;
        });
        if (applied[0] != null) {
            notify(record.id(), new Event(Event.Kind.RECORD, record));
        }
    }

    private synchronized void start() {
        if (thread != null) {
            return;
        }
        consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "mlbridge-jobs-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        List<Map<TopicPartition, Long>> targets = new ArrayList<>();
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!closed) {
                for (SyncRequest request; (request = syncRequests.poll()) != null; ) {
                    targets.add(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
                    waiting.add(request.done());
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    apply(record);
                }
                for (int i = targets.size() - 1; i >= 0; i--) {
                    if (reached(targets.get(i))) {
                        targets.remove(i);
                        waiting.remove(i).complete(null);
                    }
                }
            }
        } catch (WakeupException e) {
            // close()
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "mlbridge: jobs.tail_stopped on " + topic, e);
            waiting.forEach(w -> w.completeExceptionally(e));
            for (SyncRequest request; (request = syncRequests.poll()) != null; ) {
                request.done().completeExceptionally(e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** One record of the state topic: JOB records only, tombstones remove. */
    private void apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            return;
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            if (jobs.remove(key) != null) {
                notify(key, new Event(Event.Kind.REMOVED, null));
            }
            return;
        }
        JobRecord job;
        try {
            job = JobRecords.decode(record.value());
        } catch (CodecException e) {
            LOG.warning("mlbridge: jobs.undecodable (" + e.reason() + ") key " + key);
            return;
        }
        if (job.subject() == JobRecord.Subject.JOB && job.id().equals(key)) {
            remember(job);
        }
    }

    private void notify(String id, Event event) {
        Set<Consumer<Event>> set = listeners.get(id);
        if (set == null) {
            return;
        }
        for (Consumer<Event> listener : set) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "mlbridge: jobs.listener_failed for " + id, e);
            }
        }
    }

    private void checkOpen(String jobId) {
        if (closed) {
            throw new ClientClosedException(jobId);
        }
    }

    /** Tell every listener the store is closed; nothing is indexed or heard after this. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (this) {
            if (consumer != null) {
                consumer.wakeup();
            }
        }
        for (String id : List.copyOf(listeners.keySet())) {
            notify(id, new Event(Event.Kind.CLOSED, null));
        }
        listeners.clear();
        try {
            if (thread != null) {
                thread.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
