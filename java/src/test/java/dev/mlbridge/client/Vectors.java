package dev.mlbridge.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The shared vectors of {@code schemas/vectors/} (read from the repository at test time, never
 * copied) and the two JSON forms they use: the tagged Value form, and envelopes/records with
 * bytes as hex, enums as symbols and unions as null or the plain value (schemas/vectors/README.md).
 */
final class Vectors {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HexFormat HEX = HexFormat.of();

    private Vectors() {}

    static Path repo() {
        return Path.of(System.getProperty("mlbridge.repo", "..")).toAbsolutePath().normalize();
    }

    static JsonNode load(String file) {
        try {
            return JSON.readTree(Files.readString(repo().resolve("schemas/vectors").resolve(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> cases(String file) {
        List<JsonNode> out = new ArrayList<>();
        load(file).get("cases").forEach(out::add);
        return out;
    }

    // --- the tagged Value form ----------------------------------------------------------------

    /** A tagged value as the Java value the client hands to users. */
    static Object untag(JsonNode tagged) {
        Map.Entry<String, JsonNode> only = tagged.fields().next();
        JsonNode v = only.getValue();
        switch (only.getKey()) {
            case "null":
                return null;
            case "boolean":
                return v.booleanValue();
            case "long":
                return Long.parseLong(v.asText());
            case "double":
                return v.isTextual() ? Double.parseDouble(v.asText()) : v.doubleValue();
            case "string":
                return v.asText();
            case "bytes":
                return HEX.parseHex(v.asText());
            case "array": {
                List<Object> list = new ArrayList<>();
                v.forEach(item -> list.add(untag(item)));
                return list;
            }
            case "map": {
                Map<String, Object> map = new LinkedHashMap<>();
                v.forEach(pair -> map.put(pair.get(0).asText(), untag(pair.get(1))));
                return map;
            }
            default:
                throw new IllegalArgumentException("tag " + only.getKey());
        }
    }

    /** Deep equality with byte[] by content, Double by bits (NaN, -0.0) and map order compared. */
    static boolean same(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return java.util.Arrays.equals(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (!new ArrayList<>(x.keySet()).equals(new ArrayList<>(y.keySet()))) {
                return false;
            }
            for (Object k : x.keySet()) {
                if (!same(x.get(k), y.get(k))) {
                    return false;
                }
            }
            return true;
        }
        return java.util.Objects.equals(a, b);
    }

    // --- records (envelopes, catalogue entries, job records) ------------------------------------

    /** A generic datum of {@code schema} from its vector JSON. */
    static Object datum(JsonNode v, Schema schema) {
        switch (schema.getType()) {
            case RECORD: {
                GenericData.Record r = new GenericData.Record(schema);
                for (Schema.Field f : schema.getFields()) {
                    r.put(f.name(), datum(v.get(f.name()), f.schema()));
                }
                return r;
            }
            case UNION: {
                if (v == null || v.isNull()) {
                    return null;
                }
                return datum(v, schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow());
            }
            case ENUM:
                return new GenericData.EnumSymbol(schema, v.asText());
            case ARRAY: {
                List<Object> list = new ArrayList<>();
                v.forEach(item -> list.add(datum(item, schema.getElementType())));
                return list;
            }
            case MAP: {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), datum(e.getValue(), schema.getValueType()));
                }
                return map;
            }
            case BYTES:
                return ByteBuffer.wrap(HEX.parseHex(v.asText()));
            case STRING:
                return v.asText();
            case LONG:
                return v.longValue();
            case INT:
                return v.intValue();
            case DOUBLE:
                return v.doubleValue();
            case BOOLEAN:
                return v.booleanValue();
            default:
                throw new IllegalArgumentException("type " + schema.getType());
        }
    }

    /** The vector JSON of a generic datum of {@code schema}. */
    static JsonNode json(Object datum, Schema schema) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (schema.getType()) {
            case RECORD: {
                ObjectNode o = f.objectNode();
                GenericRecord r = (GenericRecord) datum;
                for (Schema.Field field : schema.getFields()) {
                    o.set(field.name(), json(r.get(field.name()), field.schema()));
                }
                return o;
            }
            case UNION:
                if (datum == null) {
                    return f.nullNode();
                }
                return json(datum, schema.getTypes().get(GenericData.get().resolveUnion(schema, datum)));
            case ARRAY: {
                var a = f.arrayNode();
                ((List<?>) datum).forEach(item -> a.add(json(item, schema.getElementType())));
                return a;
            }
            case MAP: {
                ObjectNode o = f.objectNode();
                ((Map<?, ?>) datum).forEach((k, item) -> o.set(k.toString(), json(item, schema.getValueType())));
                return o;
            }
            case BYTES: {
                ByteBuffer b = ((ByteBuffer) datum).duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                return f.textNode(HEX.formatHex(bytes));
            }
            case ENUM:
            case STRING:
                return f.textNode(datum.toString());
            case LONG:
                return f.numberNode((Long) datum);
            case INT:
                return f.numberNode((Integer) datum);
            case DOUBLE:
                return f.numberNode((Double) datum);
            case BOOLEAN:
                return f.booleanNode((Boolean) datum);
            case NULL:
                return f.nullNode();
            default:
                throw new IllegalArgumentException("type " + schema.getType());
        }
    }

    /** JSON equality with numbers compared by value (3 and 3.0 are one number). */
    static boolean sameJson(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText())) == 0;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!b.has(name) || !sameJson(a.get(name), b.get(name))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!sameJson(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }
}
