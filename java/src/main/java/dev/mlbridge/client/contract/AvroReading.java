package dev.mlbridge.client.contract;

import dev.mlbridge.client.data.ArrowTable;
import dev.mlbridge.client.data.Tensor;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro generic data (read with a typed pipeline's schema) to natural Java values: records as
 * {@code LinkedHashMap} in field order, enums as their symbol, integers as {@code Long} (as the
 * generic Value reads them), floats as {@code Double}, {@code timestamp-millis} as {@link Instant},
 * {@code date} as {@link LocalDate}, bytes and fixed as {@code byte[]}, tensor and table records as
 * {@link Tensor} and {@link ArrowTable}.
 */
final class AvroReading {
    private AvroReading() {}

    static Object read(Object v, Schema s) {
        String logical = s.getProp("logicalType");
        switch (s.getType()) {
            case NULL:
                return null;
            case BOOLEAN:
            case DOUBLE:
                return v;
            case INT:
                return "date".equals(logical) ? LocalDate.ofEpochDay((Integer) v) : (long) (Integer) v;
            case LONG:
                return "timestamp-millis".equals(logical) ? Instant.ofEpochMilli((Long) v) : v;
            case FLOAT:
                return (double) (Float) v;
            case STRING:
            case ENUM:
                return v.toString();
            case BYTES:
                return bytes((ByteBuffer) v);
            case FIXED:
                return ((GenericFixed) v).bytes().clone();
            case ARRAY: {
                List<Object> out = new ArrayList<>();
                for (Object item : (List<?>) v) {
                    out.add(read(item, s.getElementType()));
                }
                return out;
            }
            case MAP: {
                Map<String, Object> out = new LinkedHashMap<>();
                ((Map<?, ?>) v).forEach((k, item) -> out.put(k.toString(), read(item, s.getValueType())));
                return out;
            }
            case UNION:
                return read(v, s.getTypes().get(GenericData.get().resolveUnion(s, v)));
            case RECORD:
                return record((GenericRecord) v, s);
            default:
                throw new IllegalArgumentException("Avro type " + s.getType() + " is not supported");
        }
    }

    private static Object record(GenericRecord r, Schema s) {
        String logical = s.getProp("logicalType");
        if (AvroShapes.TENSOR.equals(logical)) {
            List<?> dims = (List<?>) r.get("shape");
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = (Long) dims.get(i);
            }
            return Tensor.fromWire(r.get("dtype").toString(), shape, bytes((ByteBuffer) r.get("data")));
        }
        if (AvroShapes.TABLE.equals(logical)) {
            return ArrowTable.fromWire(bytes((ByteBuffer) r.get("arrowStream")));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Schema.Field f : s.getFields()) {
            out.put(f.name(), read(r.get(f.pos()), f.schema()));
        }
        return out;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
