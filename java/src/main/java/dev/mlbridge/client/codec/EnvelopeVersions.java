package dev.mlbridge.client.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Every version of the request and reply envelopes a reader knows ({@code schemas/versions/index.json},
 * copied onto the classpath by the build), by the fingerprint that follows {@code C3 01}. A frame of
 * a known version is read by Avro schema resolution (writer = that version, reader = the current
 * one); any other fingerprint is refused naming it and the known versions (docs/protocol.md §14).
 */
public final class EnvelopeVersions {
    /** One known version of an envelope. */
    public record Version(int version, String fingerprint, Schema schema, boolean current) {}

    private static final String ROOT = "/dev/mlbridge/schemas/versions/";
    private static final Map<String, List<Version>> KNOWN = load();

    private EnvelopeVersions() {}

    /** The known versions of {@code request} or {@code reply}, oldest first. */
    public static List<Version> of(String envelope) {
        return KNOWN.getOrDefault(envelope, List.of());
    }

    /** The version whose frames carry {@code fingerprint} (8 bytes, as in a frame), or null. */
    static Version find(String envelope, byte[] frame) {
        String hex = HexFormat.of().formatHex(frame, 2, Framing.HEADER_LENGTH);
        for (Version v : of(envelope)) {
            if (v.fingerprint().equals(hex)) {
                return v;
            }
        }
        return null;
    }

    /** "it reads v0 c2a8…, v1 c6bd… (current), v2 b357…", the wording the runner uses. */
    static String describe(String envelope) {
        List<String> parts = new ArrayList<>();
        for (Version v : of(envelope)) {
            parts.add("v" + v.version() + " " + v.fingerprint() + (v.current() ? " (current)" : ""));
        }
        return "it reads " + String.join(", ", parts);
    }

    private static Map<String, List<Version>> load() {
        try (InputStream in = EnvelopeVersions.class.getResourceAsStream(ROOT + "index.json")) {
            if (in == null) {
                return Map.of();
            }
            JsonNode index = new ObjectMapper().readTree(in);
            return Map.of("request", versions(index.get("request")), "reply", versions(index.get("reply")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Version> versions(JsonNode envelope) throws IOException {
        List<Version> out = new ArrayList<>();
        int current = envelope.get("current").asInt();
        for (JsonNode v : envelope.get("versions")) {
            try (InputStream in = EnvelopeVersions.class.getResourceAsStream(ROOT + v.get("file").asText())) {
                if (in == null) {
                    throw new IllegalStateException("mlbridge: " + ROOT + v.get("file").asText() + " is missing from the classpath");
                }
                Schema schema = new Schema.Parser().parse(in);
                WireSchema wire = WireSchema.of(schema);
                if (!wire.fingerprintHex().equals(v.get("fingerprint").asText())) {
                    throw new IllegalStateException("mlbridge: " + v.get("file").asText() + " has fingerprint " + wire.fingerprintHex()
                            + ", index.json says " + v.get("fingerprint").asText());
                }
                out.add(new Version(v.get("version").asInt(), wire.fingerprintHex(), schema, v.get("version").asInt() == current));
            }
        }
        return List.copyOf(out);
    }
}
