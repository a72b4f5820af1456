package dev.mlbridge.client.codec;

import dev.mlbridge.client.data.ArrowTable;
import dev.mlbridge.client.data.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * The generic {@code Value} encoding ({@code schemas/value.avsc}): JSON-like data with exact types,
 * written with Avro's binary encoder, branch by branch.
 *
 * <p>Java to wire: {@code null}; {@code Boolean}; {@code Long}, {@code Integer}, {@code Short},
 * {@code Byte} and a {@code BigInteger} within int64 to {@code long}; {@code Double} and
 * {@code Float} to {@code double}; {@code CharSequence} to {@code string}; {@code byte[]} and
 * {@code ByteBuffer} to {@code bytes}; any {@code Collection} or {@code Object[]} to {@code array};
 * a {@code Map} with {@code String} keys to {@code map}, in its iteration order (use a
 * {@code LinkedHashMap} to choose it). Anything else is refused with a
 * {@link ValueEncodingException} naming the path.
 *
 * {@link Tensor} and {@link ArrowTable} to the version-2 branches ({@code schemas/value-v2.avsc}).
 *
 * <p>Wire to Java: {@code null}, {@code Boolean}, {@code Long}, {@code Double}, {@code String},
 * {@code byte[]}, {@code ArrayList}, {@code LinkedHashMap} (the order written), {@link Tensor},
 * {@link ArrowTable}.
 */
public final class ValueCodec {
    /** Arrays and maps nest at most this deep, both ways (as the TypeScript and Python codecs). */
    public static final int MAX_DEPTH = 256;

    private static final int NULL = 0;
    private static final int BOOLEAN = 1;
    private static final int LONG = 2;
    private static final int DOUBLE = 3;
    private static final int STRING = 4;
    private static final int BYTES = 5;
    private static final int ARRAY = 6;
    private static final int MAP = 7;
    private static final int TENSOR = 8;
    private static final int TABLE = 9;
    private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private ValueCodec() {}

    /** The Avro body (no framing) of {@code value}; {@code root} names it in errors ("args"). */
    public static byte[] encode(Object value, String root) {
        return encodeBody(value, root).body();
    }

    /**
     * The body and the ref to name it by: version 2 ({@link WireSchemas#VALUE_V2}) only when a
     * tensor or table occurs, version 1 otherwise, so runners that predate version 2 keep working
     * for every call without one.
     */
    public static EncodedBody encodeBody(Object value, String root) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        Writer writer = new Writer(encoder);
        try {
            writer.write(value, new Path(root), 0);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new EncodedBody(out.toByteArray(), (writer.extended ? WireSchemas.VALUE_V2 : WireSchemas.VALUE).ref());
    }

    public static byte[] encode(Object value) {
        return encode(value, "value");
    }

    /** The value in a Value body of either version (a version-1 body is a version-2 body); the whole body must be one Value. */
    public static Object decode(byte[] body) {
        return decode(body, true);
    }

    /** As {@link #decode(byte[])}; {@code extended} false refuses the tensor and table branches (a body named version 1). */
    public static Object decode(byte[] body, boolean extended) {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(body, null);
        try {
            Object value = read(decoder, 0, extended ? TABLE + 1 : MAP + 1);
            if (!decoder.isEnd()) {
                throw new CodecException("bad-body", "Trailing bytes after the Value");
            }
            return value;
        } catch (java.io.EOFException e) {
            throw new CodecException("bad-body", "Not a Value body: a length runs past the end of the body", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CodecException c) {
                throw c;
            }
            throw new CodecException("bad-body", "Not a Value body: " + e, e);
        }
    }

    private static Object read(BinaryDecoder d, int depth, int branches) throws IOException {
        int branch = d.readIndex();
        if (branch >= branches) {
            throw new CodecException("bad-body", "Value union branch " + branch + " of " + branches);
        }
        switch (branch) {
            case NULL:
                d.readNull();
                return null;
            case BOOLEAN:
                return d.readBoolean();
            case LONG:
                return d.readLong();
            case DOUBLE:
                return d.readDouble();
            case STRING:
                return d.readString();
            case BYTES: {
                ByteBuffer buffer = d.readBytes(null);
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return bytes;
            }
            case ARRAY: {
                deeper(depth);
                List<Object> list = new ArrayList<>();
                for (long n = d.readArrayStart(); n != 0; n = d.arrayNext()) {
                    for (long i = 0; i < n; i++) {
                        list.add(read(d, depth + 1, branches));
                    }
                }
                return list;
            }
            case MAP: {
                deeper(depth);
                Map<String, Object> map = new LinkedHashMap<>();
                for (long n = d.readMapStart(); n != 0; n = d.mapNext()) {
                    for (long i = 0; i < n; i++) {
                        String key = d.readString();
                        map.put(key, read(d, depth + 1, branches));
                    }
                }
                return map;
            }
            case TENSOR:
                return DataBranches.readTensor(d);
            case TABLE:
                return DataBranches.readTable(d);
            default:
                throw new CodecException("bad-body", "Value union branch " + branch + " of " + branches);
        }
    }

    private static void deeper(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new CodecException("bad-body", "arrays or maps nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** Where a value sits, built only when an error names it. */
    private record Path(String root, Path parent, Object key) {
        Path(String root) {
            this(root, null, null);
        }

        Path child(Object key) {
            return new Path(root, this, key);
        }

        @Override
        public String toString() {
            if (parent == null) {
                return root;
            }
            String k = key instanceof Integer i ? "[" + i + "]"
                    : ((String) key).matches("[A-Za-z_$][\\w$]*") ? "." + key : "[\"" + key + "\"]";
            return parent + k;
        }
    }

    private static final class Writer {
        private final BinaryEncoder e;
        private final IdentityHashMap<Object, Boolean> open = new IdentityHashMap<>();
        /** A tensor or table was written: the body needs version 2. */
        boolean extended;

        Writer(BinaryEncoder e) {
            this.e = e;
        }

        void write(Object v, Path path, int depth) throws IOException {
            if (v == null) {
                e.writeIndex(NULL);
                e.writeNull();
            } else if (v instanceof Boolean b) {
                e.writeIndex(BOOLEAN);
                e.writeBoolean(b);
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                e.writeIndex(LONG);
                e.writeLong(((Number) v).longValue());
            } else if (v instanceof BigInteger big) {
                if (big.compareTo(INT64_MIN) < 0 || big.compareTo(INT64_MAX) > 0) {
                    throw new ValueEncodingException(path.toString(), "BigInteger " + big, "outside the int64 range");
                }
                e.writeIndex(LONG);
                e.writeLong(big.longValue());
            } else if (v instanceof Double || v instanceof Float) {
                e.writeIndex(DOUBLE);
                e.writeDouble(((Number) v).doubleValue());
            } else if (v instanceof CharSequence s) {
                String text = s.toString();
                if (hasLoneSurrogate(text)) {
                    throw new ValueEncodingException(path.toString(), "a string with a lone surrogate", "UTF-8 cannot hold it");
                }
                e.writeIndex(STRING);
                e.writeString(text);
            } else if (v instanceof byte[] bytes) {
                e.writeIndex(BYTES);
                e.writeBytes(bytes);
            } else if (v instanceof ByteBuffer buffer) {
                e.writeIndex(BYTES);
                e.writeBytes(buffer.duplicate());
            } else if (v instanceof Tensor tensor) {
                e.writeIndex(TENSOR);
                DataBranches.writeTensor(e, tensor);
                extended = true;
            } else if (v instanceof ArrowTable table) {
                e.writeIndex(TABLE);
                e.writeBytes(table.wireBytes());
                extended = true;
            } else if (v instanceof Collection<?> items) {
                writeArray(v, items.toArray(), path, depth);
            } else if (v instanceof Object[] items) {
                writeArray(v, items, path, depth);
            } else if (v instanceof Map<?, ?> map) {
                writeMap(map, path, depth);
            } else {
                throw new ValueEncodingException(path.toString(), "an instance of " + v.getClass().getName(),
                        "Value carries null, Boolean, Long/Integer, Double/Float, String, byte[], List, Map<String, ?>, Tensor and ArrowTable");
            }
        }

        private void enter(Object container, Path path, int depth) {
            if (depth >= MAX_DEPTH) {
                throw new ValueEncodingException(path.toString(), "arrays or maps nested deeper than " + MAX_DEPTH + " levels", null);
            }
            if (open.put(container, Boolean.TRUE) != null) {
                throw new ValueEncodingException(path.toString(), "a cycle", "a container that contains itself");
            }
        }

        private void writeArray(Object container, Object[] items, Path path, int depth) throws IOException {
            enter(container, path, depth);
            e.writeIndex(ARRAY);
            e.writeArrayStart();
            e.setItemCount(items.length);
            for (int i = 0; i < items.length; i++) {
                e.startItem();
                write(items[i], path.child(i), depth + 1);
            }
            e.writeArrayEnd();
            open.remove(container);
        }

        private void writeMap(Map<?, ?> map, Path path, int depth) throws IOException {
            enter(map, path, depth);
            e.writeIndex(MAP);
            e.writeMapStart();
            e.setItemCount(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new ValueEncodingException(path.toString(), "a map key of type "
                            + (entry.getKey() == null ? "null" : entry.getKey().getClass().getName()), "map keys are strings");
                }
                if (hasLoneSurrogate(key)) {
                    throw new ValueEncodingException(path.toString(), "the key " + key + " with a lone surrogate", "UTF-8 cannot hold it");
                }
                e.startItem();
                e.writeString(key);
                write(entry.getValue(), path.child(key), depth + 1);
            }
            e.writeMapEnd();
            open.remove(map);
        }
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
