package dev.mlbridge.client;

import static dev.mlbridge.client.Vectors.HEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlbridge.client.codec.Envelopes;
import dev.mlbridge.client.codec.Framing;
import dev.mlbridge.client.codec.JobRecord;
import dev.mlbridge.client.codec.JobRecords;
import dev.mlbridge.client.codec.ReplyEnvelope;
import dev.mlbridge.client.codec.RequestEnvelope;
import dev.mlbridge.client.codec.ValueCodec;
import dev.mlbridge.client.codec.WireSchema;
import dev.mlbridge.client.codec.WireSchemas;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java codec against the shared vectors that the TypeScript and Python codecs check too
 * (test/unit/vectors*.test.ts, python-runner/tests/unit/test_vectors.py, …): the third codec.
 */
class VectorsTest {
    static Stream<Arguments> envelopeCases() {
        return Stream.of("ts-written.json", "py-written.json").flatMap(file -> Vectors.cases(file).stream()
                .map(c -> Arguments.of(file + ": " + c.get("name").asText(), c)));
    }

    @Test
    void fingerprintsAreTheLittleEndianCrc64OfTheCanonicalForm() throws Exception {
        JsonNode expected = Vectors.load("fingerprints.json");
        Map<String, WireSchema> mine = Map.of("value", WireSchemas.VALUE, "request", WireSchemas.REQUEST,
                "reply", WireSchemas.REPLY, "catalog", WireSchemas.CATALOG, "job", WireSchemas.JOB);
        for (String name : mine.keySet()) {
            assertEquals(expected.get(name).asText(), mine.get(name).fingerprintHex(), name);
        }
        // Every schema the file names (newer ones too), computed from schemas/<name>.avsc.
        for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            Schema schema = new Schema.Parser().parse(Vectors.repo().resolve("schemas/" + name + ".avsc").toFile());
            assertEquals(expected.get(name).asText(), WireSchema.of(schema).fingerprintHex(), name);
        }
        // The ref is the hex of the frame's bytes, not Long.toHexString of the fingerprint.
        long fp = SchemaNormalization.parsingFingerprint64(WireSchemas.VALUE.schema());
        assertEquals("bca33c6c743e1d07", Long.toHexString(fp));
        assertEquals("crc64:071d3e746c3ca3bc", WireSchemas.VALUE.ref());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("envelopeCases")
    void eachCaseDecodesToItsValueAndEncodesToItsBytes(String name, JsonNode c) {
        byte[] hex = HEX.parseHex(c.get("hex").asText());
        String schema = c.get("schema").asText();
        switch (schema) {
            case "value" -> {
                Object expected = Vectors.untag(c.get("value"));
                byte[] body = Framing.unframe(WireSchemas.VALUE, hex);
                assertTrue(Vectors.same(expected, ValueCodec.decode(body)), name + ": decoded " + ValueCodec.decode(body));
                assertEquals(c.get("hex").asText(), HEX.formatHex(Framing.frame(WireSchemas.VALUE, ValueCodec.encode(expected))));
            }
            case "request" -> {
                RequestEnvelope decoded = Envelopes.decodeRequest(hex);
                JsonNode v = c.get("value");
                assertEquals(v.get("id").asText(), decoded.id());
                assertEquals(v.get("args").asText(), HEX.formatHex(decoded.args()));
                assertEquals(v.get("deadlineMs").asLong(), decoded.deadlineMs());
                Map<String, String> headers = new LinkedHashMap<>();
                v.get("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
                assertEquals(headers, decoded.headers());
                RequestEnvelope built = new RequestEnvelope(v.get("id").asText(), v.get("pipeline").asText(),
                        HEX.parseHex(v.get("args").asText()), v.get("argsSchema").asText(), v.get("replyTo").asText(),
                        v.get("deadlineMs").asLong(), v.get("attempt").asInt(), v.get("sentAtMs").asLong(), headers);
                assertEquals(c.get("hex").asText(), HEX.formatHex(Envelopes.encodeRequest(built)));
                checkGeneric(WireSchemas.REQUEST, c);
            }
            case "reply" -> {
                ReplyEnvelope decoded = Envelopes.decodeReply(hex);
                JsonNode v = c.get("value");
                assertEquals(v.get("status").asText(), decoded.status().name());
                assertEquals(c.get("hex").asText(), HEX.formatHex(Envelopes.encodeReply(decoded)));
                checkGeneric(WireSchemas.REPLY, c);
            }
            default -> throw new AssertionError("schema " + schema);
        }
    }

    static Stream<Arguments> recordCases() {
        Stream<Arguments> jobs = Vectors.cases("jobs.json").stream().map(c -> Arguments.of("job: " + c.get("name").asText(), "job", c));
        List<Arguments> catalog = new ArrayList<>();
        Vectors.load("typed.json").get("catalog").forEach(c -> catalog.add(Arguments.of("catalog: " + c.get("name").asText(), "catalog", c)));
        return Stream.concat(jobs, catalog.stream());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordCases")
    void jobRecordsAndCatalogueEntriesRoundTrip(String name, String kind, JsonNode c) {
        WireSchema schema = kind.equals("job") ? WireSchemas.JOB : WireSchemas.CATALOG;
        JsonNode value = c.has("entry") ? c.get("entry") : c.get("value");
        checkGeneric(schema, c.get("hex").asText(), value);
        if (kind.equals("job")) {
            // The client's own record codec (JobStore, JobClient) reads and writes the same bytes.
            JobRecord record = JobRecords.decode(HEX.parseHex(c.get("hex").asText()));
            assertEquals(value.get("id").asText(), record.id());
            assertEquals(value.get("state").asText(), record.state().name());
            assertEquals(value.get("progressSeq").asInt(), record.progressSeq());
            assertEquals(c.get("hex").asText(), HEX.formatHex(JobRecords.encode(record)));
        }
    }

    static Stream<Arguments> typedCases() {
        List<Arguments> out = new ArrayList<>();
        Vectors.load("typed.json").get("cases").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
        return out.stream();
    }

    /** Avro Java derives the same canonical form and crc64 ref as the runner for every typed schema. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("typedCases")
    void typedSchemasHaveTheSameCanonicalFormAndRef(String name, JsonNode c) {
        Schema schema = new Schema.Parser().parse(c.get("schema").isTextual() && !c.get("schema").asText().startsWith("{")
                && !c.get("schema").asText().startsWith("[") ? "\"" + c.get("schema").asText() + "\"" : c.get("schema").toString());
        WireSchema wire = WireSchema.of(schema);
        assertEquals(c.get("canonical").asText(), wire.canonicalForm(), name);
        assertEquals(c.get("ref").asText(), wire.ref(), name);
    }

    @Test
    void incompatibleSchemaPairsAreRefusedByAvroJavaToo() {
        for (JsonNode c : Vectors.load("typed.json").get("incompatible")) {
            Schema writer = parse(c.get("writer"));
            Schema reader = parse(c.get("reader"));
            var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType();
            assertEquals(SchemaCompatibility.SchemaCompatibilityType.INCOMPATIBLE, result, c.get("name").asText());
        }
    }

    @Test
    void evolutionPairsAreCompatible() {
        int checked = 0;
        for (JsonNode c : Vectors.load("typed.json").get("evolution")) {
            var result = SchemaCompatibility.checkReaderWriterCompatibility(parse(c.get("reader")), parse(c.get("writer"))).getType();
            assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, result, c.get("name").asText());
            checked++;
        }
        assertTrue(checked > 0);
    }

    private static Schema parse(JsonNode schema) {
        return new Schema.Parser().parse(schema.isTextual() ? "\"" + schema.asText() + "\"" : schema.toString());
    }

    private static void checkGeneric(WireSchema schema, JsonNode c) {
        checkGeneric(schema, c.get("hex").asText(), c.get("value"));
    }

    /** Decoding gives the value; encoding the value gives the bytes (Avro's generic reader and writer). */
    private static void checkGeneric(WireSchema schema, String hex, JsonNode value) {
        GenericRecord decoded = Envelopes.read(schema, HEX.parseHex(hex));
        JsonNode json = Vectors.json(decoded, schema.schema());
        assertTrue(Vectors.sameJson(value, json), "decoded " + json + "\nexpected " + value);
        byte[] written = Framing.frame(schema, Envelopes.write(schema.schema(), Vectors.datum(value, schema.schema())));
        assertEquals(hex, HEX.formatHex(written));
        assertFalse(hex.isEmpty());
    }


}
