package dev.mlbridge.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlbridge.client.codec.EnvelopeVersions;
import dev.mlbridge.client.codec.Envelopes;
import dev.mlbridge.client.codec.ReplyEnvelope;
import dev.mlbridge.client.codec.ValueCodec;
import dev.mlbridge.client.codec.WireSchema;
import dev.mlbridge.client.codec.WireSchemas;
import dev.mlbridge.client.errors.ErrorCodes;
import dev.mlbridge.client.errors.RemoteErrorDetails;
import dev.mlbridge.client.errors.UnsupportedEnvelopeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Envelope evolution against one real runner (issue 17 item 2): requests written with the older,
 * the current and the newer request schema of schemas/versions/ are all answered, and one of an
 * unknown version is answered UNSUPPORTED_ENVELOPE at the address its prefix gives, which the Java
 * client raises as UnsupportedEnvelopeException.
 */
class EnvelopeEvolutionTest {
    static String requestTopic;
    static String replyTopic;
    static RunnerProcess runner;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RunnerProcess.available(), "no .venv/bin/python: run `npm run python:setup` first");
        requestTopic = "test.java.evolution." + UUID.randomUUID().toString().substring(0, 10);
        replyTopic = requestTopic + ".replies";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ClientTest.BROKERS))) {
            admin.createTopics(List.of(new NewTopic(requestTopic, 2, (short) -1), new NewTopic(replyTopic, 1, (short) -1))).all().get();
        }
        runner = RunnerProcess.start(ClientTest.BROKERS, requestTopic, Vectors.repo().resolve("test/fixtures/pipelines.py"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (runner != null) {
            runner.close();
        }
        if (requestTopic != null) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ClientTest.BROKERS))) {
                admin.deleteTopics(List.of(requestTopic, replyTopic)).all().get();
            }
        }
    }

    /** A request to echo {@code tag}, written with {@code schema} (fields it lacks are left out, new ones take their defaults). */
    static byte[] request(Schema schema, byte[] fingerprint, String id, String tag) {
        Map<String, Object> known = new LinkedHashMap<>();
        known.put("id", id);
        known.put("pipeline", "echo");
        known.put("args", ByteBuffer.wrap(ValueCodec.encode(Map.of("value", tag))));
        known.put("argsSchema", WireSchemas.VALUE.ref());
        known.put("replyTo", replyTopic);
        known.put("deadlineMs", 0L);
        known.put("attempt", 1);
        known.put("sentAtMs", System.currentTimeMillis());
        known.put("headers", Map.of());
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            record.put(f.name(), known.containsKey(f.name()) ? known.get(f.name()) : GenericData.get().getDefaultValue(f));
        }
        byte[] body = Envelopes.write(schema, record);
        byte[] frame = new byte[10 + body.length];
        frame[0] = (byte) 0xC3;
        frame[1] = 0x01;
        System.arraycopy(fingerprint, 0, frame, 2, 8);
        System.arraycopy(body, 0, frame, 10, body.length);
        return frame;
    }

    @Test
    void requestsOfEveryKnownVersionAreAnsweredAndAnUnknownOneIsRefusedTyped() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ClientTest.BROKERS);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (EnvelopeVersions.Version v : EnvelopeVersions.of("request")) {
                String id = "evo-v" + v.version() + "-" + UUID.randomUUID();
                expected.put(id, "v" + v.version());
                byte[] fingerprint = HexFormat.of().parseHex(v.fingerprint());
                producer.send(new ProducerRecord<>(requestTopic, id.getBytes(StandardCharsets.UTF_8), request(v.schema(), fingerprint, id, "v" + v.version()))).get();
            }
            // A version nobody published: the current layout under a fingerprint of its own.
            String unknownId = "evo-unknown-" + UUID.randomUUID();
            expected.put(unknownId, "UNSUPPORTED_ENVELOPE");
            WireSchema current = WireSchemas.REQUEST;
            producer.send(new ProducerRecord<>(requestTopic, unknownId.getBytes(StandardCharsets.UTF_8),
                    request(current.schema(), HexFormat.of().parseHex("1b5d3c7b539c9c89"), unknownId, "x"))).get();
        }

        Map<String, ReplyEnvelope> replies = new LinkedHashMap<>();
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ClientTest.BROKERS);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(replyTopic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.currentTimeMillis() + 60_000;
            while (replies.size() < expected.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    ReplyEnvelope reply = Envelopes.decodeReply(record.value());
                    if (reply.status() != ReplyEnvelope.Status.PROGRESS) {
                        replies.put(reply.id(), reply);
                    }
                }
            }
        }
        assertEquals(expected.keySet(), replies.keySet(), "replies " + replies.keySet() + "\nrunner log:\n" + runner.tail());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            ReplyEnvelope reply = replies.get(e.getKey());
            if (e.getValue().equals("UNSUPPORTED_ENVELOPE")) {
                assertEquals(ReplyEnvelope.Status.ERROR, reply.status());
                ReplyEnvelope.Error error = reply.error();
                UnsupportedEnvelopeException typed = assertInstanceOf(UnsupportedEnvelopeException.class, ErrorCodes.fromReply(reply.id(), "echo",
                        new RemoteErrorDetails(error.code(), error.type(), error.message(), error.traceback(), error.retryable(), List.of()), reply.runner()));
                assertEquals("1b5d3c7b539c9c89", typed.fingerprint());
                assertTrue(typed.knownVersions().size() >= 3, typed.getMessage());
                assertEquals(WireSchemas.REQUEST.fingerprintHex(), typed.knownVersions().stream()
                        .filter(k -> k.version() == typed.runnerVersion()).findFirst().orElseThrow().fingerprint());
            } else {
                assertEquals(ReplyEnvelope.Status.OK, reply.status(), e.getKey() + ": " + reply.error());
                assertEquals(e.getValue(), ValueCodec.decode(reply.result()));
            }
        }
    }

    @Test
    void aReplyOfAnUnknownVersionFailsItsCallAtOnceTyped() throws Exception {
        String topic = requestTopic + ".no-runner";
        try (MlbridgeClient client = MlbridgeClient.connect(ClientOptions.builder().brokers(ClientTest.BROKERS).requestTopic(topic)
                .requestPartitions(1).typedCalls(false).build())) {
            var call = client.invoke("echo", Map.of("value", 1), InvokeOptions.builder().timeout(Duration.ofSeconds(60)).build());
            String id;
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ClientTest.BROKERS);
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition partition = new TopicPartition(topic, 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                List<ConsumerRecord<byte[], byte[]>> got = List.of();
                while (got.isEmpty()) {
                    got = consumer.poll(Duration.ofMillis(200)).records(partition);
                }
                id = Envelopes.decodeRequest(got.get(0).value()).id();
            }
            // A reply of a version this client does not ship: today's layout under another fingerprint.
            byte[] frame = Envelopes.encodeReply(new ReplyEnvelope(id, ReplyEnvelope.Status.OK, ValueCodec.encode(1L), WireSchemas.VALUE.ref(),
                    null, null, "r", new ReplyEnvelope.Timings(1, 2, 3)));
            System.arraycopy(HexFormat.of().parseHex("00112233445566ff"), 0, frame, 2, 8);
            assertEquals(java.util.Optional.of(id), Envelopes.replyId(frame));
            long started = System.nanoTime();
            Properties producerProps = new Properties();
            producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ClientTest.BROKERS);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(client.replyTopic(), frame)).get();
            }
            UnsupportedEnvelopeException e = assertInstanceOf(UnsupportedEnvelopeException.class, ClientTest.failure(call));
            assertTrue((System.nanoTime() - started) / 1_000_000 < 20_000, "failed only at the deadline");
            assertEquals(id, e.requestId());
            assertEquals("00112233445566ff", e.fingerprint());
            assertEquals(EnvelopeVersions.of("reply").size(), e.knownVersions().size());
        } finally {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ClientTest.BROKERS))) {
                admin.deleteTopics(List.of(topic, topic + ".jobs", topic + ".jobs.state")).all().get();
            }
        }
    }
}
