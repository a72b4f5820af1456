package dev.mlbridge.client;

import dev.mlbridge.client.catalog.CatalogEntry;
import dev.mlbridge.client.catalog.CatalogView;
import dev.mlbridge.client.codec.EncodedBody;
import dev.mlbridge.client.codec.Envelopes;
import dev.mlbridge.client.codec.ReplyEnvelope;
import dev.mlbridge.client.codec.RequestEnvelope;
import dev.mlbridge.client.codec.ValueCodec;
import dev.mlbridge.client.errors.BrokerUnreachableException;
import dev.mlbridge.client.errors.ClientClosedException;
import dev.mlbridge.client.errors.ErrorCodes;
import dev.mlbridge.client.errors.InvalidArgumentsException;
import dev.mlbridge.client.errors.InvocationTimeoutException;
import dev.mlbridge.client.errors.MlbridgeException;
import dev.mlbridge.client.errors.RemoteErrorDetails;
import dev.mlbridge.client.errors.RequestTooLargeException;
import dev.mlbridge.client.jobs.Job;
import dev.mlbridge.client.jobs.JobClient;
import dev.mlbridge.client.jobs.JobFilter;
import dev.mlbridge.client.jobs.JobStatus;
import dev.mlbridge.client.jobs.SubmitOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Calls Python pipelines over Kafka (the wire contract is docs/protocol.md).
 *
 * <pre>{@code
 * try (MlbridgeClient client = MlbridgeClient.connect(ClientOptions.builder().brokers("localhost:9092").build())) {
 *     Object result = client.invoke("train_model", Map.of("dataset", "cpu-metrics", "epochs", 5)).join();
 * }
 * }</pre>
 *
 * <p>Arguments and results use the generic {@code Value} encoding ({@link ValueCodec}: tensors and
 * Arrow tables included), except for typed pipelines the catalogue lists: those travel in the
 * pipeline's own Avro schema, checked locally first ({@link ClientOptions.Builder#typedCalls}).
 * Jobs: {@link #submit}, {@link #job}, {@link #jobs}, {@link #cancel}.
 * Futures complete on the client's reply thread: chain blocking work with the {@code *Async}
 * methods.
 */
public final class MlbridgeClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MlbridgeClient.class.getName());
    /** How long a typed result waits for its schema to appear in the catalogue, as the TS client. */
    private static final long SCHEMA_WAIT_MS = 5000;

    private final ClientOptions options;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin admin;
    private final ReplyLoop replies;
    private final Thread replyThread;
    private final ScheduledThreadPoolExecutor timers;
    private final long maxRequestBytes;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final CatalogView catalog;
    private final ArgsWriter argsWriter;
    private final ClaimCheck claimCheck;
    private final ResultReader results;
    private final JobClient jobs;
    private volatile boolean closed;

    private record Pending(String pipeline, CompletableFuture<Object> future, Consumer<Progress> onProgress) {}

    private MlbridgeClient(ClientOptions options, KafkaProducer<byte[], byte[]> producer, Admin admin, long maxRequestBytes) {
        this.options = options;
        this.producer = producer;
        this.admin = admin;
        this.maxRequestBytes = maxRequestBytes;
        this.replies = new ReplyLoop(options, this::onReply, (id, message) -> {
            Pending call = pending.get(id);
            if (call != null) {
                fail(id, ErrorCodes.fromReply(id, call.pipeline, RemoteErrorDetails.local(ErrorCodes.UNSUPPORTED_ENVELOPE, "UnsupportedEnvelope", message), ""));
            }
        });
        this.catalog = options.typedCalls() ? new CatalogView(options.kafka(), options.brokers(), options.clientId(), options.catalogTopic()) : null;
        this.argsWriter = new ArgsWriter(catalog);
        this.claimCheck = new ClaimCheck(options.blobStore(), options.blobThresholdBytes());
        this.results = new ResultReader(catalog, claimCheck);
        this.jobs = new JobClient(producer, options.kafka(), options.brokers(), options.clientId(), options.requestTopic(), maxRequestBytes,
                options.connectTimeout(), argsWriter::encode,
                (record, args) -> args
                        ? results.read(record.id(), record.pipeline(), record.runner(), record.args(), record.argsSchema(), true)
                        : record.resultSchema().isEmpty() ? null
                        : results.read(record.id(), record.pipeline(), record.runner(), record.result(), record.resultSchema(), false));
        this.replyThread = new Thread(replies, "mlbridge-replies-" + options.clientId());
        this.replyThread.setDaemon(true);
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mlbridge-deadlines-" + options.clientId());
            t.setDaemon(true);
            return t;
        });
        this.timers.setRemoveOnCancelPolicy(true);
    }

    /** {@link ClientOptions#fromProperties(Properties)}, then {@link #connect(ClientOptions)}. */
    public static MlbridgeClient connect(Properties properties) {
        return connect(ClientOptions.fromProperties(properties));
    }

    /**
     * Connect, create the request topic if missing and this client's own reply topic, and wait until
     * the reply consumer has its position, so no reply can arrive before anyone listens.
     *
     * @throws BrokerUnreachableException when the brokers do not answer within the connect timeout
     */
    public static MlbridgeClient connect(ClientOptions options) {
        Properties adminProps = KafkaSettings.admin(options);
        Properties producerProps = KafkaSettings.producer(options);
        Admin admin = null;
        KafkaProducer<byte[], byte[]> producer = null;
        MlbridgeClient client = null;
        try {
            admin = Admin.create(adminProps);
            Topics.ensure(admin, options, options.connectTimeout());
            long limit = options.maxRequestBytes() != null ? options.maxRequestBytes() : Topics.maxMessageBytes(admin, options.requestTopic());
            producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
            client = new MlbridgeClient(options, producer, admin, limit);
            client.replyThread.start();
            client.replies.ready.get(options.connectTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
            return client;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (client != null) {
                client.close();
            } else {
                if (producer != null) {
                    producer.close(Duration.ofSeconds(1));
                }
                if (admin != null) {
                    admin.close(Duration.ofSeconds(1));
                }
            }
            if (e instanceof ConfigException bad) {
                throw new IllegalArgumentException("Kafka settings refused: " + bad.getMessage(), bad);
            }
            throw new BrokerUnreachableException(options.brokers(), e.getCause() != null ? e.getCause() : e, null);
        }
    }

    public String clientId() {
        return options.clientId();
    }

    /** This instance's own reply topic. */
    public String replyTopic() {
        return options.replyTopic();
    }

    /** Calls waiting for their reply. */
    public int pendingCount() {
        return pending.size();
    }

    public CompletableFuture<Object> invoke(String pipeline, Map<String, ?> args) {
        return invoke(pipeline, args, InvokeOptions.DEFAULTS);
    }

    /**
     * Run pipeline {@code pipeline} on some runner. The future completes with the result (mapped as
     * {@link ValueCodec} says) or exceptionally with an {@link MlbridgeException}: a remote one
     * per error code (UnknownPipelineException, InvalidArgumentsException, PipelineException, …),
     * InvocationTimeoutException, RequestTooLargeException, BrokerUnreachableException or
     * ClientClosedException, each with the request id. Cancelling the future forgets the call and
     * asks the runner running it to stop (its pipeline's {@code progress.cancelled} turns true).
     */
    public CompletableFuture<Object> invoke(String pipeline, Map<String, ?> args, InvokeOptions invokeOptions) {
        String id = UUID.randomUUID().toString();
        if (closed) {
            return CompletableFuture.failedFuture(new ClientClosedException(id));
        }
        if (pipeline == null || pipeline.isEmpty()) {
            throw new IllegalArgumentException("Expected the pipeline name to be a non-empty string, got " + pipeline);
        }
        ClaimCheck.Offloaded offloaded;
        try {
            offloaded = claimCheck.offload(id, pipeline, argsWriter.encode(id, pipeline, args == null ? Map.of() : args));
        } catch (MlbridgeException e) {
            return CompletableFuture.failedFuture(e);
        }
        EncodedBody encodedArgs = offloaded.args();
        Map<String, String> headers = new LinkedHashMap<>(invokeOptions.headers());
        if (invokeOptions.idempotencyKey() != null) {
            headers.put("idempotency-key", invokeOptions.idempotencyKey());
        }
        Duration timeout = invokeOptions.noTimeout() ? null
                : invokeOptions.timeout() != null ? invokeOptions.timeout() : options.defaultTimeout();
        long now = System.currentTimeMillis();
        long deadlineMs = timeout == null ? 0 : now + timeout.toMillis();
        byte[] value = Envelopes.encodeRequest(new RequestEnvelope(
                id, pipeline, encodedArgs.body(), encodedArgs.ref(), options.replyTopic(), deadlineMs, 1, now, headers));
        if (value.length > maxRequestBytes) {
            claimCheck.release(offloaded.blobUri());
            return CompletableFuture.failedFuture(new RequestTooLargeException(id, value.length, maxRequestBytes, null));
        }

        CompletableFuture<Object> future = new CompletableFuture<>();
        pending.put(id, new Pending(pipeline, future, invokeOptions.onProgress()));
        if (timeout != null) {
            ScheduledFuture<?> timer = timers.schedule(
                    () -> fail(id, new InvocationTimeoutException(id, pipeline, timeout)), timeout.toMillis(), TimeUnit.MILLISECONDS);
            future.whenComplete((r, e) -> timer.cancel(false));
        }
        // Any completion forgets the call (a late reply is then ignored); a cancelled future also
        // tells the runner running it to stop (a CALL record on the job state topic, docs/jobs.md).
        future.whenComplete((r, e) -> {
            if (pending.remove(id) != null && e instanceof CancellationException) {
                jobs.cancelCall(id, pipeline);
            }
            // Only the caller knows nobody will read the args blob again (a retry re-reads it).
            claimCheck.release(offloaded.blobUri());
        });
        // The idempotency key is the record key: repeats land on one partition, so on one runner.
        byte[] key = (invokeOptions.idempotencyKey() != null ? invokeOptions.idempotencyKey() : id).getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(new ProducerRecord<>(options.requestTopic(), key, value), (metadata, error) -> {
                if (error != null) {
                    fail(id, error instanceof RecordTooLargeException
                            ? new RequestTooLargeException(id, value.length, maxRequestBytes, null)
                            : closed ? new ClientClosedException(id) : new BrokerUnreachableException(options.brokers(), error, id));
                }
            });
        } catch (RuntimeException e) {
            fail(id, closed ? new ClientClosedException(id) : new BrokerUnreachableException(options.brokers(), e, id));
        }
        return future;
    }

    /**
     * The newest version of pipeline {@code name} the catalogue lists (its doc, whether it is
     * typed, its schemas, its lane); empty when no runner published it yet or typed calls are off.
     */
    public Optional<CatalogEntry> describe(String name) {
        return catalog == null ? Optional.empty() : catalog.newest(name);
    }

    /** Every pipeline the catalogue lists, newest versions, by name. */
    public List<CatalogEntry> pipelines() {
        return catalog == null ? List.of() : catalog.pipelines();
    }

    public Job submit(String pipeline, Map<String, ?> args) {
        return jobs.submit(pipeline, args, SubmitOptions.DEFAULTS);
    }

    /**
     * Submit a job (docs/jobs.md): a pipeline run with an identity of its own, visible to every
     * client, cancellable from anywhere, resumed from its checkpoint when its runner dies. Blocks
     * until the job is written; the handle's {@link Job#result()} completes when it ends.
     * Submitting an existing job id returns a handle on that job and runs nothing.
     *
     * @throws MlbridgeException InvalidArgumentsException, RequestTooLargeException, BrokerUnreachableException, ClientClosedException
     */
    public Job submit(String pipeline, Map<String, ?> args, SubmitOptions submitOptions) {
        return jobs.submit(pipeline, args, submitOptions);
    }

    /** A handle on job {@code id}, submitted by any client. @throws JobNotFoundException */
    public Job job(String id) {
        return jobs.job(id);
    }

    /** Jobs matching {@code filter} ({@link JobFilter#ALL}), newest submitted first. */
    public List<JobStatus> jobs(JobFilter filter) {
        return jobs.jobs(filter);
    }

    /** Cancel job {@code id}: QUEUED ones never start, a RUNNING one is stopped by its runner. */
    public JobStatus cancel(String id) {
        return jobs.cancel(id);
    }

    private void fail(String id, MlbridgeException error) {
        Pending call = pending.remove(id);
        if (call != null) {
            call.future.completeExceptionally(error);
        }
    }

    /** On the reply thread. Unmatched replies (late, or a duplicate after a re-run) are expected. */
    private void onReply(ReplyEnvelope reply) {
        if (reply.status() == ReplyEnvelope.Status.PROGRESS) {
            Pending call = pending.get(reply.id());
            if (call != null && call.onProgress != null && reply.progress() != null) {
                try {
                    call.onProgress.accept(new Progress(reply.id(), reply.progress().current(), reply.progress().total(), reply.progress().message()));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "mlbridge: the progress callback of " + reply.id() + " threw", e);
                }
            }
            return;
        }
        // Left pending until its future completes (which removes it), so close() fails a call still
        // waiting for its result schema.
        Pending call = pending.get(reply.id());
        if (call == null) {
            return;
        }
        if (reply.status() == ReplyEnvelope.Status.ERROR) {
            RemoteErrorDetails details = reply.error() == null
                    ? new RemoteErrorDetails(ErrorCodes.INTERNAL, "MissingError", "The runner replied ERROR without error details", "", false, List.of())
                    : RemoteErrorDetails.of(reply.error());
            call.future.completeExceptionally(ErrorCodes.fromReply(reply.id(), call.pipeline, details, reply.runner()));
            return;
        }
        complete(call, reply, System.currentTimeMillis() + SCHEMA_WAIT_MS);
    }

    /** Read the result, waiting (off the reply thread, bounded) for a typed result schema the catalogue has not shown yet. */
    private void complete(Pending call, ReplyEnvelope reply, long waitUntilMs) {
        if (!results.knows(reply.resultSchema()) && System.currentTimeMillis() < waitUntilMs && !call.future.isDone()) {
            try {
                timers.schedule(() -> complete(call, reply, waitUntilMs), 100, TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // close() fails the call
            }
        }
        try {
            call.future.complete(results.read(reply.id(), call.pipeline, reply.runner(), reply.result(), reply.resultSchema(), false));
        } catch (MlbridgeException e) {
            call.future.completeExceptionally(e);
        }
    }

    /**
     * Fail every pending call with ClientClosedException, stop reading replies, delete the reply
     * topic (unless told not to) and disconnect. Safe to call twice.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (String id : List.copyOf(pending.keySet())) {
            fail(id, new ClientClosedException(id));
        }
        timers.shutdownNow();
        jobs.close();
        if (catalog != null) {
            catalog.close();
        }
        replies.stop();
        try {
            replyThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        if (options.deleteReplyTopicOnClose()) {
            try {
                admin.deleteTopics(List.of(options.replyTopic())).all().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.fine("mlbridge: could not delete reply topic " + options.replyTopic() + ": " + e);
            }
        }
        admin.close(Duration.ofSeconds(5));
    }
}
