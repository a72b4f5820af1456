package dev.mlbridge.client.contract;

import dev.mlbridge.client.data.ArrowTable;
import dev.mlbridge.client.data.Tensor;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * Natural Java values to Avro generic data of a typed pipeline's schema, checked on the way: a
 * value the schema cannot hold is refused with an {@link IllegalArgumentException} naming its path
 * ({@code args.config.epochs: expected int, got String}). Records from {@code Map}s (missing fields
 * take their defaults, unknown keys are refused), enums from symbol strings, {@code timestamp-millis}
 * from {@link Instant} (or {@link Date}, or epoch ms), {@code date} from {@link LocalDate}, tensor
 * and table records ({@code logicalType} {@code mlbridge-tensor} / {@code mlbridge-arrow-table}) from
 * {@link Tensor} and {@link ArrowTable}.
 */
final class AvroWriting {
    private AvroWriting() {}

    static Object write(Object v, Schema s, String path) {
        String logical = s.getProp("logicalType");
        switch (s.getType()) {
            case NULL:
                if (v != null) {
                    throw wrong(path, "null", v);
                }
                return null;
            case BOOLEAN:
                if (v instanceof Boolean) {
                    return v;
                }
                throw wrong(path, "boolean", v);
            case INT:
                if ("date".equals(logical) && v instanceof LocalDate d) {
                    return Math.toIntExact(d.toEpochDay());
                }
                if (integral(v) && ((Number) v).longValue() == ((Number) v).intValue()) {
                    return ((Number) v).intValue();
                }
                throw wrong(path, "date".equals(logical) ? "LocalDate" : "int", v);
            case LONG:
                if ("timestamp-millis".equals(logical)) {
                    if (v instanceof Instant i) {
                        return i.toEpochMilli();
                    }
                    if (v instanceof Date d) {
                        return d.getTime();
                    }
                }
                if (integral(v)) {
                    return ((Number) v).longValue();
                }
                throw wrong(path, "timestamp-millis".equals(logical) ? "Instant" : "long", v);
            case FLOAT:
                if (v instanceof Number n) {
                    return n.floatValue();
                }
                throw wrong(path, "float", v);
            case DOUBLE:
                if (v instanceof Number n) {
                    return n.doubleValue();
                }
                throw wrong(path, "double", v);
            case STRING:
                if (v instanceof CharSequence c) {
                    return c.toString();
                }
                throw wrong(path, "string", v);
            case BYTES:
                if (v instanceof byte[] b) {
                    return ByteBuffer.wrap(b);
                }
                if (v instanceof ByteBuffer b) {
                    return b.duplicate();
                }
                throw wrong(path, "bytes", v);
            case FIXED:
                if (v instanceof byte[] b && b.length == s.getFixedSize()) {
                    return new GenericData.Fixed(s, b);
                }
                throw wrong(path, "fixed(" + s.getFixedSize() + ")", v);
            case ENUM:
                if (v instanceof CharSequence c && s.hasEnumSymbol(c.toString())) {
                    return new GenericData.EnumSymbol(s, c.toString());
                }
                if (v instanceof Enum<?> e && s.hasEnumSymbol(e.name())) {
                    return new GenericData.EnumSymbol(s, e.name());
                }
                throw wrong(path, "one of " + s.getEnumSymbols(), v);
            case ARRAY: {
                Collection<?> items = v instanceof Collection<?> c ? c : v instanceof Object[] a ? List.of(a) : null;
                if (items == null) {
                    throw wrong(path, "array", v);
                }
                List<Object> out = new ArrayList<>(items.size());
                int i = 0;
                for (Object item : items) {
                    out.add(write(item, s.getElementType(), path + "[" + i++ + "]"));
                }
                return out;
            }
            case MAP: {
                if (!(v instanceof Map<?, ?> map)) {
                    throw wrong(path, "map", v);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw wrong(path, "a map with string keys", e.getKey());
                    }
                    out.put(key, write(e.getValue(), s.getValueType(), path + "[\"" + key + "\"]"));
                }
                return out;
            }
            case UNION:
                Schema branch = AvroShapes.branch(v, s);
                if (branch != null) {
                    return write(v, branch, path);
                }
                throw wrong(path, s.getTypes().stream().map(AvroShapes::describe).toList().toString(), v);
            case RECORD:
                return record(v, s, path);
            default:
                throw new IllegalArgumentException(path + ": Avro type " + s.getType() + " is not supported");
        }
    }

    private static Object record(Object v, Schema s, String path) {
        if (AvroShapes.TENSOR.equals(s.getProp("logicalType"))) {
            if (!(v instanceof Tensor t)) {
                throw wrong(path, "Tensor", v);
            }
            String dtype = s.getProp("dtype");
            if (dtype != null && !dtype.equals(t.dtype().name())) {
                throw new IllegalArgumentException(path + ": expected Tensor<" + dtype + ">, got " + t);
            }
            GenericData.Record r = new GenericData.Record(s);
            r.put("dtype", t.dtype().name());
            List<Long> shape = new ArrayList<>();
            for (long dim : t.shape()) {
                shape.add(dim);
            }
            r.put("shape", shape);
            r.put("data", ByteBuffer.wrap(t.wireBytes()));
            return r;
        }
        if (AvroShapes.TABLE.equals(s.getProp("logicalType"))) {
            if (!(v instanceof ArrowTable t)) {
                throw wrong(path, "ArrowTable", v);
            }
            GenericData.Record r = new GenericData.Record(s);
            r.put("arrowStream", ByteBuffer.wrap(t.wireBytes()));
            return r;
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw wrong(path, "a map of the fields of " + s.getName(), v);
        }
        for (Object key : map.keySet()) {
            if (!(key instanceof String name) || s.getField(name) == null) {
                throw new IllegalArgumentException(path + ": " + s.getName() + " has no field " + key);
            }
        }
        GenericData.Record r = new GenericData.Record(s);
        for (Schema.Field f : s.getFields()) {
            String at = path + "." + f.name();
            if (map.containsKey(f.name())) {
                r.put(f.pos(), write(map.get(f.name()), f.schema(), at));
            } else if (f.hasDefaultValue()) {
                r.put(f.pos(), GenericData.get().deepCopy(f.schema(), GenericData.get().getDefaultValue(f)));
            } else {
                throw new IllegalArgumentException(at + ": missing (the field has no default)");
            }
        }
        return r;
    }

    private static boolean integral(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte;
    }

    private static IllegalArgumentException wrong(String path, String expected, Object got) {
        return new IllegalArgumentException(path + ": expected " + expected + ", got "
                + (got == null ? "null" : got.getClass().getSimpleName() + (got instanceof Number || got instanceof CharSequence ? " " + got : "")));
    }
}
