package dev.mlbridge.client;

import static dev.mlbridge.client.Vectors.HEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlbridge.client.codec.CodecException;
import dev.mlbridge.client.codec.EnvelopeVersions;
import dev.mlbridge.client.codec.Envelopes;
import dev.mlbridge.client.codec.ReplyEnvelope;
import dev.mlbridge.client.codec.RequestEnvelope;
import dev.mlbridge.client.codec.WireSchema;
import dev.mlbridge.client.codec.WireSchemas;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Envelopes of other versions (schemas/versions/) against schemas/vectors/envelope-versions.json,
 * which the TypeScript and Python suites check too: the Java client reads an older and a newer
 * request and reply by Avro schema resolution and refuses an unknown version naming it.
 */
class EnvelopeVersionsTest {
    static final JsonNode FILE = Vectors.load("envelope-versions.json");

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        FILE.get("cases").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
        return out.stream();
    }

    @Test
    void theCurrentVersionIsTheEnvelopeThisClientWrites() {
        for (String envelope : List.of("request", "reply")) {
            WireSchema current = envelope.equals("request") ? WireSchemas.REQUEST : WireSchemas.REPLY;
            var versions = EnvelopeVersions.of(envelope);
            assertTrue(versions.size() >= 3, envelope + ": " + versions);
            assertEquals(1, versions.stream().filter(EnvelopeVersions.Version::current).count());
            assertEquals(current.fingerprintHex(), versions.stream().filter(EnvelopeVersions.Version::current).findFirst().orElseThrow().fingerprint());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void anOlderOrNewerEnvelopeIsReadByResolutionIntoTheCurrentOne(String name, JsonNode c) {
        String envelope = c.get("schema").asText();
        EnvelopeVersions.Version version = EnvelopeVersions.of(envelope).stream()
                .filter(v -> v.version() == c.get("version").asInt()).findFirst().orElseThrow();
        assertEquals(c.get("fingerprint").asText(), version.fingerprint());
        byte[] frame = HEX.parseHex(c.get("hex").asText());
        // The body is `written` encoded with that version's schema.
        byte[] body = Envelopes.write(version.schema(), Vectors.datum(c.get("written"), version.schema()));
        assertEquals(c.get("hex").asText().substring(20), HEX.formatHex(body));

        WireSchema current = envelope.equals("request") ? WireSchemas.REQUEST : WireSchemas.REPLY;
        GenericRecord read = Envelopes.read(current, frame);
        JsonNode json = Vectors.json(read, current.schema());
        assertTrue(Vectors.sameJson(c.get("value"), json), "read " + json + "\nexpected " + c.get("value"));
        // The typed decoders the client uses take it too.
        if (envelope.equals("request")) {
            RequestEnvelope request = Envelopes.decodeRequest(frame);
            assertEquals(c.get("value").get("replyTo").asText(), request.replyTo());
        } else {
            ReplyEnvelope reply = Envelopes.decodeReply(frame);
            assertEquals(c.get("value").get("status").asText(), reply.status().name());
        }
    }

    @Test
    void anUnknownVersionIsRefusedNamingItsFingerprintAndTheKnownOnes() {
        for (JsonNode c : FILE.get("unknown")) {
            CodecException e = assertThrows(CodecException.class, () -> Envelopes.decodeRequest(HEX.parseHex(c.get("hex").asText())));
            assertEquals("unknown-fingerprint", e.reason());
            assertTrue(e.getMessage().contains(c.get("fingerprint").asText()), e.getMessage());
            for (EnvelopeVersions.Version v : EnvelopeVersions.of("request")) {
                assertTrue(e.getMessage().contains("v" + v.version() + " " + v.fingerprint()), e.getMessage());
            }
        }
    }
}
