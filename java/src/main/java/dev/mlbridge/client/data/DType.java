package dev.mlbridge.client.data;

/**
 * The element types of a {@link Tensor}: Open Inference Protocol (KServe v2 / Triton) names, as on
 * the wire ({@code Value} version 2, docs/protocol.md "Tensors and tables"). Elements are
 * little-endian; BOOL is one byte, 0 or 1; FP16 is IEEE half bits.
 */
public enum DType {
    BOOL(1), UINT8(1), UINT16(2), UINT32(4), UINT64(8), INT8(1), INT16(2), INT32(4), INT64(8), FP16(2), FP32(4), FP64(8);

    private final int itemSize;

    DType(int itemSize) {
        this.itemSize = itemSize;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /** The dtype of a wire name. @throws IllegalArgumentException for any other name */
    public static DType of(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown tensor dtype " + name + " (expected one of BOOL, UINT8…UINT64, INT8…INT64, FP16, FP32, FP64)");
    }
}
