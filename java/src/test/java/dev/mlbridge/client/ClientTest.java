package dev.mlbridge.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlbridge.client.codec.Envelopes;
import dev.mlbridge.client.codec.RequestEnvelope;
import dev.mlbridge.client.errors.ClientClosedException;
import dev.mlbridge.client.errors.InvalidArgumentsException;
import dev.mlbridge.client.errors.InvocationTimeoutException;
import dev.mlbridge.client.errors.PipelineException;
import dev.mlbridge.client.errors.UnknownPipelineException;
import dev.mlbridge.client.catalog.CatalogEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calls through the real broker (KAFKA_BROKERS or 127.0.0.1:9092) to a real Python runner serving
 * test/fixtures/pipelines.py on a request topic of this run's own.
 */
class ClientTest {
    static final String BROKERS = System.getenv().getOrDefault("KAFKA_BROKERS", "127.0.0.1:9092");
    static String requestTopic;
    static RunnerProcess runner;
    static MlbridgeClient client;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RunnerProcess.available(), "no .venv/bin/python: run `npm run python:setup` first");
        requestTopic = "test.java." + UUID.randomUUID().toString().substring(0, 10);
        client = MlbridgeClient.connect(options().build());
        runner = RunnerProcess.start(BROKERS, requestTopic, Vectors.repo().resolve("test/fixtures/pipelines.py"),
                Vectors.repo().resolve("test/fixtures/typed_pipelines.py"));
    }

    static ClientOptions.Builder options() {
        return ClientOptions.builder().brokers(BROKERS).requestTopic(requestTopic).requestPartitions(4).catalogTopic(requestTopic + ".catalog");
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (runner != null) {
            runner.close();
        }
    }

    static Throwable failure(CompletableFuture<?> call) {
        try {
            call.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void valuesTravelBothWaysWithNaturalTypesAndKeyOrder() throws Exception {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", 1);
        inner.put("a", List.of(2L, 2.5, "x", true));
        inner.put("m", null);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("int", 42);
        value.put("long", Long.MAX_VALUE);
        value.put("float", 1.5f);
        value.put("bytes", new byte[] {0, (byte) 0xff});
        value.put("nested", inner);
        Object result = client.invoke("echo", Map.of("value", value)).get(30, TimeUnit.SECONDS);

        Map<String, Object> expectedInner = new LinkedHashMap<>();
        expectedInner.put("z", 1L);
        expectedInner.put("a", List.of(2L, 2.5, "x", true));
        expectedInner.put("m", null);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("int", 42L);
        expected.put("long", Long.MAX_VALUE);
        expected.put("float", 1.5);
        expected.put("bytes", new byte[] {0, (byte) 0xff});
        expected.put("nested", expectedInner);
        assertTrue(Vectors.same(expected, result), "got " + result);
    }

    @Test
    void aRemoteExceptionArrivesAsItsOwnClassWithTypeAndCauses() throws Exception {
        Throwable error = failure(client.invoke("fail", Map.of("message", "bad rows")));
        PipelineException e = assertInstanceOf(PipelineException.class, error);
        assertEquals("PIPELINE_ERROR", e.code());
        assertEquals("bad rows", e.getMessage());
        // Module-qualified: a class of the pipelines module, not a built-in.
        assertTrue(e.remoteType().endsWith(".DataError") && !e.remoteType().equals("DataError"), e.remoteType());
        assertEquals("KeyError", e.causes().get(0).type());
        assertTrue(e.remoteTraceback().contains("Traceback"), e.remoteTraceback());
        assertEquals("remote", e.origin());
        assertFalse(e.retryable());

        UnknownPipelineException unknown = assertInstanceOf(UnknownPipelineException.class, failure(client.invoke("nope", Map.of())));
        assertEquals("UNKNOWN_PIPELINE", unknown.code());
        // divide is typed: only a client sending the generic Value leaves the check to the runner.
        try (MlbridgeClient valueOnly = MlbridgeClient.connect(options().typedCalls(false).build())) {
            InvalidArgumentsException invalid = assertInstanceOf(InvalidArgumentsException.class, failure(valueOnly.invoke("divide", Map.of("a", 1))));
            assertEquals("remote", invalid.origin());
            assertTrue(invalid.getMessage().contains("'b'"), invalid.getMessage());
        }
    }

    @Test
    void typedPipelinesTakeValueArgumentsAndAnswerWithAValue() throws Exception {
        // The runner converts Value arguments through the pipeline's schema (defaults filled in).
        assertEquals(5L, client.invoke("typed_add", Map.of("a", 2, "b", 3)).get(30, TimeUnit.SECONDS));
        assertEquals(2L, client.invoke("typed_add", Map.of("a", 2)).get(30, TimeUnit.SECONDS));
        InvalidArgumentsException e = assertInstanceOf(InvalidArgumentsException.class,
                failure(client.invoke("typed_add", Map.of("a", "two"))));
        assertTrue(e.getMessage().contains("a"), e.getMessage());
    }

    @Test
    void typedPipelinesTheCatalogueListsTakeTheirOwnSchemaBothWays() throws Exception {
        JobsTest.waitFor(() -> client.describe("typed_echo").isPresent() && client.describe("typed_train").isPresent(), 30_000);
        CatalogEntry echo = client.describe("typed_echo").orElseThrow();
        assertTrue(echo.typed());
        assertEquals("CALL", echo.lane());
        assertTrue(client.pipelines().stream().anyMatch(p -> p.name().equals("echo") && !p.typed()));

        Map<String, Object> args = new LinkedHashMap<>();
        args.put("i", 42);
        args.put("f", 0.125);
        args.put("s", "hé");
        args.put("b", true);
        args.put("raw", new byte[] {0, (byte) 0xff});
        args.put("day", LocalDate.of(2024, 2, 29));
        args.put("at", Instant.ofEpochMilli(1_704_164_645_678L));
        args.put("optimizer", "SGD");
        args.put("either", "seven");
        args.put("scores", Map.of("a", 1.5));
        String key = "java-typed-" + UUID.randomUUID();
        Map<?, ?> result = (Map<?, ?>) client.invoke("typed_echo", args, InvokeOptions.builder().idempotencyKey(key).build()).get(30, TimeUnit.SECONDS);
        assertEquals(42L, result.get("i"));
        assertEquals(LocalDate.of(2024, 2, 29), result.get("day"));
        assertEquals(Instant.ofEpochMilli(1_704_164_645_678L), result.get("at"));
        assertEquals("SGD", result.get("optimizer"));
        assertEquals("seven", result.get("either"));
        assertEquals(List.of(), result.get("items"));
        assertEquals(Map.of("a", 1.5), result.get("scores"));
        assertEquals(null, result.get("maybe"));
        // On the wire: the args record of the catalogue's newest version, not the generic Value.
        RequestEnvelope sent = Envelopes.decodeRequest(requestsWithHeader(key).get(0).value());
        assertEquals(echo.argsRef(), sent.argsSchema());

        Map<?, ?> trained = (Map<?, ?>) client.invoke("typed_train", Map.of("dataset", "cpu", "config", Map.of("epochs", 2, "optimizer", "SGD")))
                .get(30, TimeUnit.SECONDS);
        assertEquals("cpu-sgd-2", trained.get("model_id"));
        assertEquals(Map.of("accuracy", 0.9, "loss", 0.5), trained.get("metrics"));

        InvalidArgumentsException wrong = assertInstanceOf(InvalidArgumentsException.class,
                failure(client.invoke("typed_train", Map.of("dataset", "cpu", "config", Map.of("epochs", "two")))));
        assertEquals("local", wrong.origin());
        assertEquals("SchemaViolation", wrong.remoteType());
        assertTrue(wrong.getMessage().startsWith("args.config.epochs: expected long"), wrong.getMessage());
    }

    @Test
    void argumentsTheWireCannotCarryAreRefusedLocally() {
        InvalidArgumentsException e = assertInstanceOf(InvalidArgumentsException.class,
                failure(client.invoke("echo", Map.of("value", List.of(1, new Object())))));
        assertEquals("local", e.origin());
        assertTrue(e.getMessage().startsWith("args.value[1]"), e.getMessage());
    }

    @Test
    void aCallWithoutAReplyTimesOutAtItsDeadline() {
        long started = System.nanoTime();
        InvocationTimeoutException e = assertInstanceOf(InvocationTimeoutException.class, failure(client.invoke(
                "sleep", Map.of("seconds", 2.0), InvokeOptions.builder().timeout(Duration.ofMillis(400)).build())));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMs >= 400 && tookMs < 1500, "took " + tookMs + " ms");
        assertTrue(e.retryable());
        assertEquals(0, client.pendingCount());
    }

    @Test
    void progressReportsArriveBeforeTheResult() throws Exception {
        List<Progress> reports = Collections.synchronizedList(new ArrayList<>());
        Object result = client.invoke("train", Map.of("epochs", 3),
                InvokeOptions.builder().onProgress(reports::add).build()).get(30, TimeUnit.SECONDS);
        assertEquals(Map.of("epochs", 3L), result);
        assertEquals(3, reports.size(), "reports " + reports);
        assertEquals(3.0, reports.get(2).current());
        assertEquals(3.0, reports.get(2).total());
        assertEquals("epoch 3", reports.get(2).message());
        assertEquals(1, reports.stream().map(Progress::requestId).distinct().count());
    }

    @Test
    void aRepeatedIdempotencyKeyIsAnsweredWithoutRunningAgain() throws Exception {
        String key = "java-" + UUID.randomUUID();
        InvokeOptions once = InvokeOptions.builder().idempotencyKey(key).build();
        assertEquals(1L, client.invoke("count_executions", Map.of("key", key), once).get(30, TimeUnit.SECONDS));
        assertEquals(1L, client.invoke("count_executions", Map.of("key", key), once).get(30, TimeUnit.SECONDS));
        // Without a key the same call runs again.
        assertEquals(2L, client.invoke("count_executions", Map.of("key", key)).get(30, TimeUnit.SECONDS));

        // On the wire: the Kafka record key equals the idempotency-key header.
        List<ConsumerRecord<byte[], byte[]>> keyed = requestsWithHeader(key);
        assertEquals(2, keyed.size());
        for (ConsumerRecord<byte[], byte[]> record : keyed) {
            assertEquals(key, new String(record.key(), StandardCharsets.UTF_8));
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> requestsWithHeader(String key) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKERS);
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(requestTopic).stream()
                    .map(p -> new TopicPartition(requestTopic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 10_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    RequestEnvelope request = Envelopes.decodeRequest(record.value());
                    if (key.equals(request.headers().get("idempotency-key"))) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    @Test
    void theReplyTopicIsNamedAndConfiguredLikeTheTypeScriptClients() throws Exception {
        try (MlbridgeClient named = MlbridgeClient.connect(options().clientId("billing").build());
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BROKERS))) {
            assertTrue(named.replyTopic().matches("ml\\.pipeline\\.reply\\.billing-[0-9a-f]{8}"), named.replyTopic());
            assertTrue(client.replyTopic().matches("ml\\.pipeline\\.reply\\.c-[0-9a-f]{16}"), client.replyTopic());
            var description = admin.describeTopics(List.of(named.replyTopic())).allTopicNames().get().get(named.replyTopic());
            assertEquals(1, description.partitions().size());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, named.replyTopic());
            var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertEquals("3600000", config.get("retention.ms").value());
            assertEquals("delete", config.get("cleanup.policy").value());
            assertEquals(Map.of("epochs", 1L), named.invoke("train", Map.of("epochs", 1)).get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void closeFailsPendingCallsAndDeletesTheReplyTopic() throws Exception {
        MlbridgeClient closing = MlbridgeClient.connect(options().build());
        CompletableFuture<Object> slow = closing.invoke("sleep", Map.of("seconds", 1.0));
        closing.close();
        assertInstanceOf(ClientClosedException.class, failure(slow));
        assertInstanceOf(ClientClosedException.class, failure(closing.invoke("echo", Map.of())));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BROKERS))) {
            assertFalse(admin.listTopics().names().get().contains(closing.replyTopic()));
        }
    }

    @Test
    void concurrentCallsEachGetTheirOwnAnswer() throws Exception {
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(client.invoke("tagged", Map.of("tag", "t" + i, "n", i)));
        }
        for (int i = 0; i < calls.size(); i++) {
            Map<?, ?> result = (Map<?, ?>) calls.get(i).get(30, TimeUnit.SECONDS);
            assertEquals("t" + i, result.get("tag"));
            assertEquals((long) i, result.get("n"));
        }
    }
}
