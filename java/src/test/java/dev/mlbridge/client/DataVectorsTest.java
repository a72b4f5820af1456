package dev.mlbridge.client;

import static dev.mlbridge.client.Vectors.HEX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlbridge.client.codec.CodecException;
import dev.mlbridge.client.codec.EncodedBody;
import dev.mlbridge.client.codec.Framing;
import dev.mlbridge.client.codec.ValueCodec;
import dev.mlbridge.client.codec.WireSchemas;
import dev.mlbridge.client.data.ArrowTable;
import dev.mlbridge.client.data.DType;
import dev.mlbridge.client.data.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Value version 2 (tensors and Arrow tables) against schemas/vectors/data.json, the file the
 * TypeScript and Python codecs check too (test/unit/data-vectors.test.ts, test_tensor_vectors.py).
 */
class DataVectorsTest {
    static final JsonNode DATA = Vectors.load("data.json");

    static Stream<Arguments> cases(String group) {
        List<Arguments> out = new ArrayList<>();
        DATA.get(group).forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
        return out.stream();
    }

    static Stream<Arguments> tensors() {
        return cases("tensors");
    }

    static Stream<Arguments> tables() {
        return cases("tables");
    }

    static Stream<Arguments> invalid() {
        return cases("invalid");
    }

    @Test
    void theVersion2SchemaHasTheSharedFingerprintAndCanonicalForm() {
        assertEquals(DATA.get("fingerprint").asText(), WireSchemas.VALUE_V2.fingerprintHex());
        assertEquals(DATA.get("canonical").asText(), WireSchemas.VALUE_V2.canonicalForm());
        assertEquals("crc64:36de59380b1ed7a5", WireSchemas.VALUE_V2.ref());
    }

    static long[] shape(JsonNode c) {
        long[] out = new long[c.get("shape").size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = c.get("shape").get(i).asLong();
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tensors")
    void eachTensorDecodesToItsDtypeShapeAndBytesAndEncodesBack(String name, JsonNode c) {
        Object decoded = ValueCodec.decode(Framing.unframe(WireSchemas.VALUE_V2, HEX.parseHex(c.get("hex").asText())), true);
        Tensor tensor = assertInstanceOf(Tensor.class, decoded);
        assertEquals(DType.of(c.get("dtype").asText()), tensor.dtype());
        assertArrayEquals(shape(c), tensor.shape());
        assertEquals(c.get("data").asText(), HEX.formatHex(tensor.bytes()));
        EncodedBody again = ValueCodec.encodeBody(new Tensor(tensor.dtype(), tensor.shape(), tensor.bytes()), "value");
        assertEquals(WireSchemas.VALUE_V2.ref(), again.ref());
        assertEquals(c.get("hex").asText(), HEX.formatHex(Framing.frame(WireSchemas.VALUE_V2, again.body())));
        // The primitive array of the dtype holds exactly the element bytes.
        Object array = tensor.toArray();
        assertEquals(tensor.size(), java.lang.reflect.Array.getLength(array));
    }

    @Test
    void primitiveArraysReadTheLittleEndianElements() {
        for (JsonNode c : DATA.get("tensors")) {
            Tensor t = (Tensor) ValueCodec.decode(Framing.unframe(WireSchemas.VALUE_V2, HEX.parseHex(c.get("hex").asText())));
            switch (t.dtype()) {
                case FP64 -> {
                    if (c.get("name").asText().contains("max")) {
                        double[] v = t.toDoubleArray();
                        assertTrue(Double.isNaN(v[0]), Arrays.toString(v));
                        assertTrue(Arrays.stream(v).anyMatch(x -> x == Double.MAX_VALUE), Arrays.toString(v));
                        assertTrue(Arrays.stream(v).anyMatch(x -> x == Double.NEGATIVE_INFINITY), Arrays.toString(v));
                    }
                }
                case INT8 -> {
                    if (c.get("name").asText().equals("INT8 extremes")) {
                        assertArrayEquals(new byte[] {-128, -1, 0, 127}, t.toByteArray());
                    }
                }
                case UINT16 -> assertEquals(65535, Short.toUnsignedInt(t.toShortArray()[2]));
                case FP16 -> {
                    float[] v = t.toFloatArray();
                    assertArrayEquals(new float[] {1f, -2f, 65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}, Arrays.copyOf(v, 5));
                    assertTrue(Float.isNaN(v[5]), Arrays.toString(v));
                    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(v[6]));
                }
                case BOOL -> assertArrayEquals(new boolean[] {true, false, false, true}, t.toBooleanArray());
                default -> { }
            }
        }
        assertEquals(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).toString(), "Tensor<FP32>[2, 3]");
        assertArrayEquals(new float[] {1.5f, -2f}, Tensor.of(new float[] {1.5f, -2f}).toFloatArray());
        assertArrayEquals(new long[] {Long.MIN_VALUE, 7}, Tensor.of(new long[] {Long.MIN_VALUE, 7}).toLongArray());
    }

    @Test
    void nestedTensorsKeepTheirPlaceBesideOtherValues() {
        JsonNode c = DATA.get("nested").get(0);
        Map<?, ?> decoded = (Map<?, ?>) ValueCodec.decode(Framing.unframe(WireSchemas.VALUE_V2, HEX.parseHex(c.get("hex").asText())));
        Tensor x = (Tensor) decoded.get("x");
        assertEquals("FP32 [2, 2]", x.dtype() + " " + Arrays.toString(x.shape()));
        Tensor first = (Tensor) ((List<?>) decoded.get("list")).get(0);
        assertEquals("INT64 [1]", first.dtype() + " " + Arrays.toString(first.shape()));
        assertEquals(c.get("hex").asText(), HEX.formatHex(Framing.frame(WireSchemas.VALUE_V2, ValueCodec.encodeBody(decoded, "value").body())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tables")
    void eachTableArrivesAsItsIpcStreamAndEncodesBackToTheSameBytes(String name, JsonNode c) {
        byte[] frame = HEX.parseHex(c.get("hex").asText());
        ArrowTable table = assertInstanceOf(ArrowTable.class, ValueCodec.decode(Framing.unframe(WireSchemas.VALUE_V2, frame)));
        byte[] stream = table.arrowStream();
        // The stream ends with the end-of-stream marker and is the body's bytes field exactly.
        assertEquals("ffffffff00000000", HEX.formatHex(stream, stream.length - 8, stream.length));
        assertEquals(c.get("hex").asText(), HEX.formatHex(Framing.frame(WireSchemas.VALUE_V2, ValueCodec.encodeBody(new ArrowTable(stream), "v").body())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void eachMalformedBodyIsRefusedNamingTheProblem(String name, JsonNode c) {
        CodecException e = assertThrows(CodecException.class, () -> ValueCodec.decode(HEX.parseHex(c.get("body").asText()), true));
        assertTrue(e.getMessage().contains(c.get("error").asText()), e.getMessage());
    }

    @Test
    void aVersion1BodyNeverCarriesATensorAndValuesWithoutOneStayVersion1() {
        byte[] body = ValueCodec.encodeBody(Map.of("x", Tensor.of(new int[] {1, 2})), "args").body();
        assertThrows(CodecException.class, () -> ValueCodec.decode(body, false));
        assertEquals(WireSchemas.VALUE.ref(), ValueCodec.encodeBody(Map.of("x", List.of(1, 2)), "args").ref());
        assertEquals(WireSchemas.VALUE_V2.ref(), ValueCodec.encodeBody(Map.of("x", List.of(Tensor.of(new int[] {1}))), "args").ref());
        assertThrows(IllegalArgumentException.class, () -> new Tensor(DType.FP32, new long[] {2, 3}, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> new ArrowTable(new byte[] {1, 2, 3}));
    }
}
