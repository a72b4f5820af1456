package dev.mlbridge.client.jobs;

import dev.mlbridge.client.codec.EncodedBody;
import dev.mlbridge.client.codec.Envelopes;
import dev.mlbridge.client.codec.JobRecord;
import dev.mlbridge.client.codec.JobRecords;
import dev.mlbridge.client.codec.ReplyEnvelope;
import dev.mlbridge.client.codec.RequestEnvelope;
import dev.mlbridge.client.errors.BrokerUnreachableException;
import dev.mlbridge.client.errors.ClientClosedException;
import dev.mlbridge.client.errors.JobNotFoundException;
import dev.mlbridge.client.errors.MlbridgeException;
import dev.mlbridge.client.errors.RequestTooLargeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * The client's side of the jobs protocol (docs/jobs.md): submit, reattach, list, cancel, and the
 * CALL cancellation of a cancelled invoke. {@code MlbridgeClient} creates one and delegates to it;
 * its methods block (they read or write the job topics) and throw {@link MlbridgeException}s.
 */
public final class JobClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobClient.class.getName());
    private static final int DEFAULT_MAX_ATTEMPTS = 3;

    /** The arguments of a submit, encoded as invoke() encodes them (InvalidArgumentsException with the job id). */
    public interface ArgsEncoder {
        EncodedBody encode(String id, String pipeline, Map<String, ?> args);
    }

    /** Decodes a record's result ({@code args} false; empty resultSchema: no result) or its arguments. */
    public interface RecordReader {
        Object read(JobRecord record, boolean args);
    }

    private final Producer<byte[], byte[]> producer;
    private final JobStore store;
    private final String jobTopic;
    private final String stateTopic;
    private final String clientId;
    private final String brokers;
    private final long maxRequestBytes;
    private final Duration sendTimeout;
    private final ArgsEncoder encodeArgs;
    private final RecordReader reader;
    private volatile boolean closed;

    /**
     * @param kafka      consumer settings (security, …) for the state topic's reader
     * @param reader     decodes a SUCCEEDED record's result, or a record's arguments
     */
    public JobClient(Producer<byte[], byte[]> producer, Properties kafka, String brokers, String clientId, String requestTopic,
            long maxRequestBytes, Duration sendTimeout, ArgsEncoder encodeArgs, RecordReader reader) {
        this.producer = producer;
        this.jobTopic = JobTopics.jobTopic(requestTopic);
        this.stateTopic = JobTopics.stateTopic(requestTopic);
        this.store = new JobStore(kafka, brokers, clientId, stateTopic, Duration.ofMillis(Math.max(10_000, sendTimeout.toMillis())));
        this.clientId = clientId;
        this.brokers = brokers;
        this.maxRequestBytes = maxRequestBytes;
        this.sendTimeout = sendTimeout;
        this.encodeArgs = encodeArgs;
        this.reader = reader;
    }

    /**
     * Submit a job: if its id is already in the state topic, a handle on that job (never a second
     * run); else QUEUED is written, then the request produced to the job topic (key = job id).
     */
    public Job submit(String pipeline, Map<String, ?> args, SubmitOptions options) {
        String id = options.jobId() != null ? options.jobId() : UUID.randomUUID().toString();
        if (pipeline == null || pipeline.isEmpty()) {
            throw new IllegalArgumentException("Expected the pipeline name to be a non-empty string, got " + pipeline);
        }
        checkOpen(id);
        int maxAttempts = options.maxAttempts() > 0 ? options.maxAttempts() : DEFAULT_MAX_ATTEMPTS;
        Map<String, String> headers = new LinkedHashMap<>(options.headers());
        headers.put("mlbridge-max-attempts", String.valueOf(maxAttempts));
        EncodedBody encoded = encodeArgs.encode(id, pipeline, args == null ? Map.of() : args);
        long now = System.currentTimeMillis();
        byte[] request = Envelopes.encodeRequest(new RequestEnvelope(id, pipeline, encoded.body(), encoded.ref(), "", 0, 1, now, headers));
        JobRecord queued = queued(id, JobRecord.Subject.JOB, JobRecord.State.QUEUED, pipeline, encoded.body(), encoded.ref(), maxAttempts, now);
        byte[] queuedBytes = JobRecords.encode(queued);
        long size = Math.max(request.length, queuedBytes.length);
        if (size > maxRequestBytes) {
            throw new RequestTooLargeException(id, size, maxRequestBytes, null);
        }
        JobRecord existing = store.find(id);
        if (existing != null) {
            return handle(existing.id(), existing.pipeline(), options);
        }
        // The listener first: every report from the first one on.
        Job job = handle(id, pipeline, options);
        // QUEUED first: a runner that takes the request then finds the job.
        produce(stateTopic, id, queuedBytes, size);
        store.remember(queued);
        try {
            produce(jobTopic, id, request, size);
        } catch (MlbridgeException e) {
            // Without its request the job would stay QUEUED forever: say it failed (best effort).
            long failedAt = System.currentTimeMillis();
            JobRecord failed = queued.moved(JobRecord.State.FAILED, failedAt, failedAt, new ReplyEnvelope.Error("INTERNAL", "SubmitFailed",
                    "The job's request could not be produced: " + e.getMessage(), "", true, List.of()));
            try {
                produce(stateTopic, id, JobRecords.encode(failed), size);
            } catch (MlbridgeException ignored) {
                // the brokers are gone: the first error says so
            }
            throw e;
        }
        return job;
    }

    /** A handle on job {@code id} as it is in the state topic now. @throws JobNotFoundException */
    public Job job(String id) {
        return handle(id, find(id).pipeline(), SubmitOptions.DEFAULTS);
    }

    /** Jobs matching {@code filter}, newest submitted first, after reading the state topic to its end. */
    public List<JobStatus> jobs(JobFilter filter) {
        checkOpen(null);
        store.sync(null);
        return store.list(filter).stream().map(JobStatus::of).toList();
    }

    /**
     * docs/jobs.md, cancellation: terminal (or already asked) → unchanged; QUEUED → CANCELLED
     * (written here); RUNNING → CANCEL_REQUESTED (the runner holding it stops it). Reads to the end
     * first, so a job that just finished is not asked to stop.
     */
    public JobStatus cancel(String id) {
        checkOpen(id);
        store.sync(id);
        JobRecord record = find(id);
        if (record.state().terminal() || record.state() == JobRecord.State.CANCEL_REQUESTED) {
            return JobStatus.of(record);
        }
        long now = System.currentTimeMillis();
        JobRecord next = record.state() == JobRecord.State.QUEUED
                ? record.moved(JobRecord.State.CANCELLED, now, now,
                        new ReplyEnvelope.Error("CANCELLED", "JobCancelled", "cancelled while queued", "", false, List.of()))
                : record.moved(JobRecord.State.CANCEL_REQUESTED, now, record.finishedAtMs(), record.error());
        byte[] value = JobRecords.encode(next);
        produce(stateTopic, id, value, value.length);
        store.remember(next);
        JobRecord now2 = store.get(id);
        return JobStatus.of(now2 != null ? now2 : next);
    }

    /**
     * A cancelled invoke: a CALL record tells the runner running request {@code requestId} to
     * stop. Best effort and asynchronous (the caller already knows the call is cancelled).
     */
    public void cancelCall(String requestId, String pipeline) {
        if (closed) {
            return;
        }
        JobRecord record = queued(requestId, JobRecord.Subject.CALL, JobRecord.State.CANCEL_REQUESTED, pipeline, new byte[0], "", 0,
                System.currentTimeMillis());
        try {
            producer.send(new ProducerRecord<>(stateTopic, requestId.getBytes(StandardCharsets.UTF_8), JobRecords.encode(record)), (m, e) -> {
                if (e != null) {
                    LOG.fine("mlbridge: call.cancel_not_written for " + requestId + ": " + e);
                }
            });
        } catch (RuntimeException e) {
            LOG.fine("mlbridge: call.cancel_not_written for " + requestId + ": " + e);
        }
    }

    private Job handle(String id, String pipeline, SubmitOptions options) {
        Job job = new Job(id, pipeline, store, r -> reader.read(r, false), r -> reader.read(r, true), this::cancel);
        if (options.onProgress() != null) {
            job.onProgress(options.onProgress());
        }
        return job;
    }

    private JobRecord find(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("Expected a job id, got " + id);
        }
        checkOpen(id);
        JobRecord record = store.find(id);
        if (record == null) {
            throw new JobNotFoundException(id);
        }
        return record;
    }

    private JobRecord queued(String id, JobRecord.Subject subject, JobRecord.State state, String pipeline, byte[] args, String argsSchema,
            int maxAttempts, long now) {
        return new JobRecord(id, subject, state, pipeline, args, argsSchema, 0, maxAttempts, "", clientId, now, 0, 0, 0, now, 0,
                null, null, new byte[0], "", null);
    }

    private void produce(String topic, String id, byte[] value, long size) {
        try {
            producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), value)).get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RecordTooLargeException) {
                throw new RequestTooLargeException(id, size, maxRequestBytes, null);
            }
            throw closed ? new ClientClosedException(id) : new BrokerUnreachableException(brokers, e.getCause(), id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnreachableException(brokers, e, id);
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            throw closed ? new ClientClosedException(id) : new BrokerUnreachableException(brokers, e, id);
        }
    }

    private void checkOpen(String id) {
        if (closed) {
            throw new ClientClosedException(id);
        }
    }

    /** Pending results fail with ClientClosedException. */
    @Override
    public void close() {
        closed = true;
        store.close();
    }
}
