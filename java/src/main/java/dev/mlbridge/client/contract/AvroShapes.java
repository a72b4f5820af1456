package dev.mlbridge.client.contract;

import dev.mlbridge.client.data.ArrowTable;
import dev.mlbridge.client.data.Tensor;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.Date;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Which union branch a Java value takes: the first whose shape fits exactly ({@code Integer} for
 * int, {@code Long} for long, {@code Float} for float), else the first that can hold it.
 */
final class AvroShapes {
    static final String TENSOR = "mlbridge-tensor";
    static final String TABLE = "mlbridge-arrow-table";

    private AvroShapes() {}

    static Schema branch(Object v, Schema union) {
        for (boolean strict : new boolean[] {true, false}) {
            for (Schema branch : union.getTypes()) {
                if (accepts(v, branch, strict)) {
                    return branch;
                }
            }
        }
        return null;
    }

    private static boolean accepts(Object v, Schema s, boolean strict) {
        String logical = s.getProp("logicalType");
        boolean small = v instanceof Integer || v instanceof Short || v instanceof Byte;
        return switch (s.getType()) {
            case NULL -> v == null;
            case BOOLEAN -> v instanceof Boolean;
            case INT -> "date".equals(logical) ? v instanceof LocalDate : small || !strict && v instanceof Long l && l == l.intValue();
            case LONG -> "timestamp-millis".equals(logical) ? v instanceof Instant || v instanceof Date
                    : v instanceof Long || !strict && small;
            case FLOAT -> strict ? v instanceof Float : v instanceof Number;
            case DOUBLE -> strict ? v instanceof Double : v instanceof Number;
            case STRING -> v instanceof CharSequence;
            case BYTES -> v instanceof byte[] || v instanceof ByteBuffer;
            case FIXED -> v instanceof byte[] b && b.length == s.getFixedSize();
            case ENUM -> v instanceof CharSequence c && s.hasEnumSymbol(c.toString()) || v instanceof Enum<?> e && s.hasEnumSymbol(e.name());
            case ARRAY -> v instanceof Collection<?> || v instanceof Object[];
            case MAP -> v instanceof Map<?, ?>;
            case RECORD -> TENSOR.equals(logical) ? v instanceof Tensor t && (s.getProp("dtype") == null || s.getProp("dtype").equals(t.dtype().name()))
                    : TABLE.equals(logical) ? v instanceof ArrowTable
                    : v instanceof Map<?, ?> m && m.keySet().stream().allMatch(k -> k instanceof String n && s.getField(n) != null);
            default -> false;
        };
    }

    static String describe(Schema s) {
        return s.getType() == Schema.Type.RECORD || s.getType() == Schema.Type.ENUM ? s.getName() : s.getType().getName();
    }
}
