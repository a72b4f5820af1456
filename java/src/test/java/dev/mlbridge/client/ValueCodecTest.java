package dev.mlbridge.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlbridge.client.codec.CodecException;
import dev.mlbridge.client.codec.ValueCodec;
import dev.mlbridge.client.codec.ValueEncodingException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The Java side of the natural mapping (the shared vectors cover the bytes). */
class ValueCodecTest {
    @Test
    void javaNumbersMapToLongAndDouble() {
        assertArrayEquals(ValueCodec.encode(5L), ValueCodec.encode(5));
        assertArrayEquals(ValueCodec.encode(5L), ValueCodec.encode((short) 5));
        assertArrayEquals(ValueCodec.encode(5L), ValueCodec.encode(BigInteger.valueOf(5)));
        assertArrayEquals(ValueCodec.encode(1.5), ValueCodec.encode(1.5f));
        assertEquals(5L, ValueCodec.decode(ValueCodec.encode(5)));
        assertArrayEquals(ValueCodec.encode(new byte[] {1, 2}), ValueCodec.encode(ByteBuffer.wrap(new byte[] {1, 2})));
        assertArrayEquals(ValueCodec.encode(List.of(1L, 2L)), ValueCodec.encode(new Object[] {1, 2}));
    }

    @Test
    void mapsKeepTheirIterationOrder() {
        Map<String, Object> ordered = new LinkedHashMap<>();
        ordered.put("zeta", 1);
        ordered.put("alpha", 2);
        Object back = ValueCodec.decode(ValueCodec.encode(ordered));
        assertEquals(List.of("zeta", "alpha"), new ArrayList<>(((Map<?, ?>) back).keySet()));
        Object sorted = ValueCodec.decode(ValueCodec.encode(new TreeMap<>(ordered)));
        assertEquals(List.of("alpha", "zeta"), new ArrayList<>(((Map<?, ?>) sorted).keySet()));
    }

    @Test
    void whatTheWireCannotCarryIsRefusedWithItsPath() {
        Map<String, Object> args = Map.of("items", List.of(1, Map.of("x", new Object())));
        ValueEncodingException e = assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(args, "args"));
        assertEquals("args.items[1].x", e.path());
        assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(BigInteger.ONE.shiftLeft(64)));
        assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(Map.of(1, "int key")));
        assertThrows(ValueEncodingException.class, () -> ValueCodec.encode("lone \uD800 surrogate"));
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertTrue(assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(cycle)).getMessage().contains("cycle"));
    }

    @Test
    void nestingIsBoundedBothWays() {
        Object deep = 1;
        for (int i = 0; i < 300; i++) {
            deep = List.of(deep);
        }
        Object tooDeep = deep;
        assertThrows(ValueEncodingException.class, () -> ValueCodec.encode(tooDeep));
        byte[] body = new byte[600];
        for (int i = 0; i < 300; i++) {
            body[2 * i] = 12;  // array branch
            body[2 * i + 1] = 2;  // one item
        }
        assertThrows(CodecException.class, () -> ValueCodec.decode(body));
    }
}
