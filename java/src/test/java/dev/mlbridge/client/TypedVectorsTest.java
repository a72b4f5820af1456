package dev.mlbridge.client;

import static dev.mlbridge.client.Vectors.HEX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlbridge.client.contract.TypedCodec;
import dev.mlbridge.client.data.ArrowTable;
import dev.mlbridge.client.data.Tensor;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java typed codec (natural Java values to typed pipelines' Avro bodies and back) against
 * schemas/vectors/typed.json and data-typed.json, which the TypeScript and Python codecs check too.
 */
class TypedVectorsTest {
    static Stream<Arguments> group(String file, String group) {
        List<Arguments> out = new ArrayList<>();
        Vectors.load(file).get(group).forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
        return out.stream();
    }

    static Stream<Arguments> cases() {
        return group("typed.json", "cases");
    }

    static Stream<Arguments> evolution() {
        return group("typed.json", "evolution");
    }

    static Stream<Arguments> dataCases() {
        return group("data-typed.json", "cases");
    }

    static Schema parse(JsonNode schema) {
        return new Schema.Parser().parse(schema.isTextual() ? "\"" + schema.asText() + "\"" : schema.toString());
    }

    /** A tagged typed value as the Java value a user would pass (int as Integer, float as Float). */
    static Object untag(JsonNode tagged) {
        Map.Entry<String, JsonNode> only = tagged.fields().next();
        JsonNode v = only.getValue();
        return switch (only.getKey()) {
            case "int" -> Integer.parseInt(v.asText());
            case "float" -> v.isTextual() ? Float.parseFloat(v.asText()) : v.floatValue();
            case "enum" -> v.asText();
            case "timestamp-millis" -> Instant.ofEpochMilli(Long.parseLong(v.asText()));
            case "date" -> LocalDate.parse(v.asText());
            case "record" -> {
                Map<String, Object> map = new LinkedHashMap<>();
                v.forEach(pair -> map.put(pair.get(0).asText(), untag(pair.get(1))));
                yield map;
            }
            case "array" -> {
                List<Object> list = new ArrayList<>();
                v.forEach(item -> list.add(untag(item)));
                yield list;
            }
            case "map" -> {
                Map<String, Object> map = new LinkedHashMap<>();
                v.forEach(pair -> map.put(pair.get(0).asText(), untag(pair.get(1))));
                yield map;
            }
            default -> Vectors.untag(tagged);
        };
    }

    /** What the codec reads back: integers as Long, floats as Double. */
    static Object asRead(Object v) {
        if (v instanceof Integer i) {
            return (long) i;
        }
        if (v instanceof Float f) {
            return (double) f;
        }
        if (v instanceof List<?> list) {
            return list.stream().map(TypedVectorsTest::asRead).toList();
        }
        if (v instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, item) -> out.put(k, asRead(item)));
            return out;
        }
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachTypedValueEncodesToItsBytesAndDecodesBack(String name, JsonNode c) {
        Schema schema = parse(c.get("schema"));
        Object value = untag(c.get("value"));
        assertEquals(c.get("hex").asText(), HEX.formatHex(TypedCodec.encode(value, schema, "args")), name);
        Object decoded = TypedCodec.decode(HEX.parseHex(c.get("hex").asText()), schema, schema);
        assertTrue(Vectors.same(asRead(value), decoded), "decoded " + decoded + ", expected " + value);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("evolution")
    void aBodyOfAnotherVersionIsReadUnderSchemaResolution(String name, JsonNode c) {
        Object decoded = TypedCodec.decode(HEX.parseHex(c.get("hex").asText()), parse(c.get("writer")), parse(c.get("reader")));
        Object expected = asRead(untag(c.get("value")));
        assertTrue(Vectors.same(expected, decoded), "decoded " + decoded + ", expected " + expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dataCases")
    void typedTensorsAndTablesMapToTensorAndArrowTable(String name, JsonNode c) {
        Schema schema = parse(c.get("schema"));
        byte[] body = HEX.parseHex(c.get("hex").asText());
        Object decoded = TypedCodec.decode(body, schema, schema);
        JsonNode value = c.get("value");
        if (value.has("rows")) {
            assertTrue(decoded instanceof ArrowTable, "decoded " + decoded);
        } else {
            List<?> tensors = value.isArray() ? (List<?>) decoded : List.of(decoded);
            List<JsonNode> expected = new ArrayList<>();
            (value.isArray() ? value : Vectors.JSON.createArrayNode().add(value)).forEach(expected::add);
            assertEquals(expected.size(), tensors.size());
            for (int i = 0; i < tensors.size(); i++) {
                Tensor t = (Tensor) tensors.get(i);
                assertEquals(expected.get(i).get("dtype").asText(), t.dtype().name());
                assertArrayEquals(DataVectorsTest.shape(expected.get(i)), t.shape());
                assertEquals(expected.get(i).get("data").asText(), HEX.formatHex(t.bytes()));
            }
        }
        assertEquals(c.get("hex").asText(), HEX.formatHex(TypedCodec.encode(decoded, schema, "result")));
    }

    @Test
    void valuesTheSchemaCannotHoldAreRefusedNamingTheirPath() {
        Schema args = parse(Vectors.load("typed.json").get("cases").findValues("schema").stream()
                .filter(s -> s.isObject() && "typed_add_args".equals(s.path("name").asText())).findFirst()
                .orElse(Vectors.JSON.valueToTree(Map.of("type", "record", "name", "typed_add_args",
                        "fields", List.of(Map.of("name", "a", "type", "long"), Map.of("name", "b", "type", "long", "default", 0))))));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> TypedCodec.encode(Map.of("a", "two"), args, "args"));
        assertTrue(wrong.getMessage().startsWith("args.a: expected long, got String"), wrong.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> TypedCodec.encode(Map.of("a", 1, "zz", 2), args, "args"));
        assertTrue(unknown.getMessage().contains("no field zz"), unknown.getMessage());
        Schema fp32 = parse(Vectors.load("data-typed.json").get("cases").get(0).get("schema"));
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class, () -> TypedCodec.encode(Tensor.of(new double[] {1}), fp32, "args.x"));
        assertEquals("args.x: expected Tensor<FP32>, got Tensor<FP64>[1]", dtype.getMessage());
    }
}
