package dev.mlbridge.client;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * How {@link MlbridgeClient#connect(ClientOptions)} connects. Defaults match the TypeScript client,
 * so both kinds of client share one request topic and runner group.
 *
 * <pre>{@code
 * ClientOptions options = ClientOptions.builder().brokers("kafka:9092").clientId("billing").build();
 * }</pre>
 */
public final class ClientOptions {
    private static final Pattern TOPIC = Pattern.compile("[\\w.-]{1,200}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String brokers;
    private final String requestTopic;
    private final int requestPartitions;
    private final String clientId;
    private final String replyTopic;
    private final Duration replyRetention;
    private final boolean deleteReplyTopicOnClose;
    private final Duration defaultTimeout;
    private final Duration connectTimeout;
    private final Long maxRequestBytes;
    private final String catalogTopic;
    private final boolean typedCalls;
    private final String blobStore;
    private final long blobThresholdBytes;
    private final Properties kafka;

    private ClientOptions(Builder b) {
        String env = System.getenv("KAFKA_BROKERS");
        this.brokers = b.brokers != null ? b.brokers : env != null && !env.isBlank() ? env.trim() : "127.0.0.1:9092";
        String envTopic = System.getenv("MLBRIDGE_REQUEST_TOPIC");
        this.requestTopic = topic("requestTopic", b.requestTopic != null ? b.requestTopic : envTopic != null ? envTopic : "ml.pipeline.input");
        this.requestPartitions = positive("requestPartitions", b.requestPartitions);
        // As the TypeScript client: a clientId from configuration is the same on every instance, so
        // its reply topic gets 8 random hex digits of its own; a generated one is unique already.
        this.clientId = topic("clientId", b.clientId != null ? b.clientId : "c-" + hex(8));
        this.replyTopic = topic("replyTopicPrefix + clientId", b.replyTopicPrefix + clientId + (b.clientId == null ? "" : "-" + hex(4)));
        this.replyRetention = positive("replyRetention", b.replyRetention);
        this.deleteReplyTopicOnClose = b.deleteReplyTopicOnClose;
        this.defaultTimeout = b.defaultTimeout == null ? null : positive("defaultTimeout", b.defaultTimeout);
        this.connectTimeout = positive("connectTimeout", b.connectTimeout);
        this.maxRequestBytes = b.maxRequestBytes;
        String envCatalog = System.getenv("MLBRIDGE_CATALOG_TOPIC");
        this.catalogTopic = topic("catalogTopic", b.catalogTopic != null ? b.catalogTopic : envCatalog != null ? envCatalog : "ml.pipeline.catalog");
        this.typedCalls = b.typedCalls;
        String envStore = System.getenv("MLBRIDGE_BLOB_STORE");
        this.blobStore = b.blobStore != null ? b.blobStore : envStore != null && !envStore.isBlank() ? envStore.trim() : null;
        if (b.blobThresholdBytes < 0) {
            throw new IllegalArgumentException("Expected `blobThresholdBytes` to be >= 0, got " + b.blobThresholdBytes);
        }
        this.blobThresholdBytes = b.blobThresholdBytes;
        this.kafka = b.kafka;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Options from properties: Kafka settings as they are ({@code bootstrap.servers},
     * {@code security.protocol}, …: passed to the producer, consumer and admin client) and these
     * of mlbridge: {@code mlbridge.request.topic}, {@code mlbridge.request.partitions},
     * {@code mlbridge.client.id}, {@code mlbridge.reply.topic.prefix},
     * {@code mlbridge.reply.retention.ms}, {@code mlbridge.default.timeout.ms} (0: none),
     * {@code mlbridge.connect.timeout.ms}, {@code mlbridge.max.request.bytes},
     * {@code mlbridge.catalog.topic}, {@code mlbridge.typed.calls} ({@code true}/{@code false}),
     * {@code mlbridge.blob.store}, {@code mlbridge.blob.threshold.bytes}.
     */
    public static ClientOptions fromProperties(Properties properties) {
        Builder b = builder();
        Properties kafka = new Properties();
        for (String name : properties.stringPropertyNames()) {
            String value = properties.getProperty(name);
            switch (name) {
                case "bootstrap.servers" -> b.brokers(value);
                case "mlbridge.request.topic" -> b.requestTopic(value);
                case "mlbridge.request.partitions" -> b.requestPartitions(Integer.parseInt(value));
                case "mlbridge.client.id" -> b.clientId(value);
                case "mlbridge.reply.topic.prefix" -> b.replyTopicPrefix(value);
                case "mlbridge.reply.retention.ms" -> b.replyRetention(Duration.ofMillis(Long.parseLong(value)));
                case "mlbridge.default.timeout.ms" -> b.defaultTimeout(Long.parseLong(value) == 0 ? null : Duration.ofMillis(Long.parseLong(value)));
                case "mlbridge.connect.timeout.ms" -> b.connectTimeout(Duration.ofMillis(Long.parseLong(value)));
                case "mlbridge.max.request.bytes" -> b.maxRequestBytes(Long.parseLong(value));
                case "mlbridge.catalog.topic" -> b.catalogTopic(value);
                case "mlbridge.typed.calls" -> b.typedCalls(Boolean.parseBoolean(value));
                case "mlbridge.blob.store" -> b.blobStore(value);
                case "mlbridge.blob.threshold.bytes" -> b.blobThresholdBytes(Long.parseLong(value));
                default -> {
                    if (name.startsWith("mlbridge.")) {
                        throw new IllegalArgumentException("Unknown option " + name);
                    }
                    kafka.setProperty(name, value);
                }
            }
        }
        return b.kafka(kafka).build();
    }

    /** Kafka bootstrap servers; default {@code KAFKA_BROKERS}, else {@code 127.0.0.1:9092}. */
    public String brokers() {
        return brokers;
    }

    public String requestTopic() {
        return requestTopic;
    }

    public int requestPartitions() {
        return requestPartitions;
    }

    public String clientId() {
        return clientId;
    }

    /** This instance's own reply topic: {@code replyTopicPrefix + clientId [+ "-" + 8 hex]}. */
    public String replyTopic() {
        return replyTopic;
    }

    public Duration replyRetention() {
        return replyRetention;
    }

    public boolean deleteReplyTopicOnClose() {
        return deleteReplyTopicOnClose;
    }

    /** Null: calls without a timeout of their own wait forever (deadline 0). */
    public Duration defaultTimeout() {
        return defaultTimeout;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Null: the request topic's {@code max.message.bytes} as the broker reports it. */
    public Long maxRequestBytes() {
        return maxRequestBytes;
    }

    /** The catalogue topic runners publish their pipelines to; default {@code MLBRIDGE_CATALOG_TOPIC}, else {@code ml.pipeline.catalog}. */
    public String catalogTopic() {
        return catalogTopic;
    }

    /** Whether calls to typed pipelines the catalogue lists travel in the pipeline's own schema. */
    public boolean typedCalls() {
        return typedCalls;
    }

    /** The claim check's blob store ({@code file:///dir}); null: none (bodies travel inline only). */
    public String blobStore() {
        return blobStore;
    }

    /** Args bodies larger than this go by reference when a blob store is set. */
    public long blobThresholdBytes() {
        return blobThresholdBytes;
    }

    /** Extra Kafka settings for the producer, consumer and admin client (a copy). */
    public Properties kafka() {
        Properties copy = new Properties();
        copy.putAll(kafka);
        return copy;
    }

    private static String topic(String name, String value) {
        if (value == null || !TOPIC.matcher(value).matches()) {
            throw new IllegalArgumentException("Expected `" + name + "` to be a Kafka topic name ([A-Za-z0-9._-], at most 200), got " + value);
        }
        return value;
    }

    private static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("Expected `" + name + "` to be > 0, got " + value);
        }
        return value;
    }

    private static Duration positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("Expected `" + name + "` to be a duration > 0, got " + value);
        }
        return value;
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static final class Builder {
        private String brokers;
        private String requestTopic;
        private int requestPartitions = 12;
        private String clientId;
        private String replyTopicPrefix = "ml.pipeline.reply.";
        private Duration replyRetention = Duration.ofHours(1);
        private boolean deleteReplyTopicOnClose = true;
        private Duration defaultTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Long maxRequestBytes;
        private String catalogTopic;
        private boolean typedCalls = true;
        private String blobStore;
        private long blobThresholdBytes = 921_600;
        private Properties kafka = new Properties();

        private Builder() {}

        /** {@code host:port,host:port}. */
        public Builder brokers(String brokers) {
            this.brokers = brokers;
            return this;
        }

        /** Default {@code MLBRIDGE_REQUEST_TOPIC}, else {@code ml.pipeline.input}. */
        public Builder requestTopic(String requestTopic) {
            this.requestTopic = requestTopic;
            return this;
        }

        /** Partitions of the request topic when this client creates it; default 12. */
        public Builder requestPartitions(int requestPartitions) {
            this.requestPartitions = requestPartitions;
            return this;
        }

        /** The readable start of this instance's reply topic; default {@code c-} + 16 random hex digits. */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** Default {@code ml.pipeline.reply.}. */
        public Builder replyTopicPrefix(String replyTopicPrefix) {
            this.replyTopicPrefix = Objects.requireNonNull(replyTopicPrefix);
            return this;
        }

        /** {@code retention.ms} of the reply topic: replies to a client that died expire after it; default 1 h. */
        public Builder replyRetention(Duration replyRetention) {
            this.replyRetention = replyRetention;
            return this;
        }

        /** Delete the reply topic on close(); default true. */
        public Builder deleteReplyTopicOnClose(boolean delete) {
            this.deleteReplyTopicOnClose = delete;
            return this;
        }

        /** Time limit of calls that give none; null waits forever. Default 30 s. */
        public Builder defaultTimeout(Duration defaultTimeout) {
            this.defaultTimeout = defaultTimeout;
            return this;
        }

        /** How long connect() waits for the brokers; default 10 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Largest encoded request sent; default the topic's {@code max.message.bytes}, else 1,048,588. */
        public Builder maxRequestBytes(long maxRequestBytes) {
            this.maxRequestBytes = maxRequestBytes;
            return this;
        }

        /** Default {@code MLBRIDGE_CATALOG_TOPIC}, else {@code ml.pipeline.catalog} (as the runner's {@code --catalog-topic}). */
        public Builder catalogTopic(String catalogTopic) {
            this.catalogTopic = catalogTopic;
            return this;
        }

        /**
         * Read the catalogue and send calls (and jobs) to typed pipelines in the pipeline's own
         * Avro schema, checked locally first (InvalidArgumentsException, origin local), with typed
         * results read back; default true. False: every call travels as the generic Value, which
         * typed pipelines accept too (the runner converts it), and no catalogue is read.
         */
        public Builder typedCalls(boolean typedCalls) {
            this.typedCalls = typedCalls;
            return this;
        }

        /**
         * Large payloads by reference (the claim check, docs/protocol.md): a {@code file:///dir}
         * store shared with the runners (the same one as their {@code MLBRIDGE_BLOB_STORE}). Args
         * bodies above {@link #blobThresholdBytes} are written there and the request carries a
         * reference; results that arrive by reference are read from it, checked (length, SHA-256)
         * and deleted. Default {@code MLBRIDGE_BLOB_STORE}, else none.
         */
        public Builder blobStore(String url) {
            this.blobStore = url;
            return this;
        }

        /** Default 921,600 (900 KiB: under the topics' default max.message.bytes with room for the envelope). */
        public Builder blobThresholdBytes(long bytes) {
            this.blobThresholdBytes = bytes;
            return this;
        }

        /** Extra Kafka client settings (security, SASL, tuning) for the producer, consumer and admin client. */
        public Builder kafka(Properties kafka) {
            this.kafka = Objects.requireNonNull(kafka);
            return this;
        }

        public ClientOptions build() {
            return new ClientOptions(this);
        }
    }
}
