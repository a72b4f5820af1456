package dev.mlbridge.client.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense tensor: {@code prod(shape)} elements of one {@link DType}, little-endian, row-major (C
 * order); {@code shape} empty for a 0-d (scalar) tensor. Crosses the wire as one block of bytes
 * (the Tensor branch of {@code Value} version 2); nests anywhere in arguments and results.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);   // FP32 [2, 3]
 * float[] values = result.toFloatArray();
 * }</pre>
 *
 * <p>Primitive arrays by dtype ({@link #toArray()}): BOOL {@code boolean[]}; INT8, UINT8
 * {@code byte[]}; INT16, UINT16, FP16 (half bits; {@link #toFloatArray()} widens them) {@code short[]}; INT32, UINT32 {@code int[]};
 * INT64, UINT64 {@code long[]}; FP32 {@code float[]}; FP64 {@code double[]}. Unsigned values keep
 * their bits (use {@code Integer.toUnsignedLong} and friends). Immutable.
 */
public final class Tensor {
    private final DType dtype;
    private final long[] shape;
    private final byte[] data;

    /**
     * @param data exactly prod(shape) × itemsize little-endian bytes (copied)
     * @throws IllegalArgumentException for a negative dimension, a byte count that does not match
     *                                  the shape, or a BOOL element other than 0 or 1
     */
    public Tensor(DType dtype, long[] shape, byte[] data) {
        this(dtype, shape.clone(), data.clone(), 0);
    }

    /** Over the arrays given, not copied. */
    private Tensor(DType dtype, long[] shape, byte[] data, int unused) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative tensor dimension " + dim + " in shape " + Arrays.toString(shape));
            }
            count = dim == 0 || count == 0 ? 0 : Math.multiplyExact(count, dim);
        }
        long needed = Math.multiplyExact(count, dtype.itemSize());
        if (needed != data.length) {
            throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " of " + dtype + " needs " + needed
                    + " bytes, got " + data.length);
        }
        if (dtype == DType.BOOL) {
            for (int i = 0; i < data.length; i++) {
                if (data[i] != 0 && data[i] != 1) {
                    throw new IllegalArgumentException("BOOL tensor element " + data[i] + " at index " + i + " is not 0 or 1");
                }
            }
        }
    }

    /** A tensor over bytes read from the wire (not copied again). */
    static Tensor wrap(DType dtype, long[] shape, byte[] data) {
        return new Tensor(dtype, shape, data, 0);
    }

    /** Decoders outside this package: the bytes are the caller's to give away. */
    public static Tensor fromWire(String dtype, long[] shape, byte[] data) {
        return wrap(DType.of(dtype), shape, data);
    }

    private static long[] shapeOr(long[] shape, int length) {
        // No shape given: one dimension. A 0-d tensor comes from the constructor with an empty shape.
        return shape.length == 0 ? new long[] {length} : shape;
    }

    private static ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** FP32; shape {@code [values.length]} when none is given (every {@code of} alike). */
    public static Tensor of(float[] values, long... shape) {
        ByteBuffer b = buffer(values.length * 4);
        b.asFloatBuffer().put(values);
        return wrap(DType.FP32, shapeOr(shape, values.length), b.array());
    }

    /** FP64. */
    public static Tensor of(double[] values, long... shape) {
        ByteBuffer b = buffer(values.length * 8);
        b.asDoubleBuffer().put(values);
        return wrap(DType.FP64, shapeOr(shape, values.length), b.array());
    }

    /** INT32. */
    public static Tensor of(int[] values, long... shape) {
        ByteBuffer b = buffer(values.length * 4);
        b.asIntBuffer().put(values);
        return wrap(DType.INT32, shapeOr(shape, values.length), b.array());
    }

    /** INT64. */
    public static Tensor of(long[] values, long... shape) {
        ByteBuffer b = buffer(values.length * 8);
        b.asLongBuffer().put(values);
        return wrap(DType.INT64, shapeOr(shape, values.length), b.array());
    }

    /** INT16 (for UINT16 or FP16 bits: {@link #of(DType, short[], long...)}). */
    public static Tensor of(short[] values, long... shape) {
        return of(DType.INT16, values, shape);
    }

    /** INT16, UINT16 or FP16 (half bits). */
    public static Tensor of(DType dtype, short[] values, long... shape) {
        ByteBuffer b = buffer(values.length * 2);
        b.asShortBuffer().put(values);
        return wrap(dtype, shapeOr(shape, values.length), b.array());
    }

    /** BOOL. */
    public static Tensor of(boolean[] values, long... shape) {
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = (byte) (values[i] ? 1 : 0);
        }
        return wrap(DType.BOOL, shapeOr(shape, values.length), data);
    }

    /** INT8 or UINT8 (a bare {@code byte[]} argument stays {@code bytes} on the wire). */
    public static Tensor of(DType dtype, byte[] values, long... shape) {
        return wrap(dtype, shapeOr(shape, values.length), values.clone());
    }

    public DType dtype() {
        return dtype;
    }

    /** Dimensions, outermost first (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long size() {
        return data.length / dtype.itemSize();
    }

    /** The element bytes, little-endian, read-only. */
    public ByteBuffer data() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A copy of the element bytes. */
    public byte[] bytes() {
        return data.clone();
    }

    /** The element bytes without a copy, for the encoder (never handed to users). */
    public byte[] wireBytes() {
        return data;
    }

    private void expect(DType... allowed) {
        for (DType d : allowed) {
            if (d == dtype) {
                return;
            }
        }
        throw new IllegalStateException("A " + dtype + " tensor has no " + Arrays.toString(allowed) + " view");
    }

    /** FP32 elements; FP16 elements widened to float (exactly: every half is a float). */
    public float[] toFloatArray() {
        expect(DType.FP32, DType.FP16);
        if (dtype == DType.FP16) {
            short[] halves = toShortArray();
            float[] out = new float[halves.length];
            for (int i = 0; i < halves.length; i++) {
                out[i] = halfToFloat(halves[i]);
            }
            return out;
        }
        float[] out = new float[data.length / 4];
        data().asFloatBuffer().get(out);
        return out;
    }

    /** IEEE 754 half bits to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | mantissa << 13);
        }
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f;
            return sign == 0 ? subnormal : -subnormal;
        }
        return Float.intBitsToFloat(sign | (exponent + 112) << 23 | mantissa << 13);
    }

    public double[] toDoubleArray() {
        expect(DType.FP64);
        double[] out = new double[data.length / 8];
        data().asDoubleBuffer().get(out);
        return out;
    }

    public int[] toIntArray() {
        expect(DType.INT32, DType.UINT32);
        int[] out = new int[data.length / 4];
        data().asIntBuffer().get(out);
        return out;
    }

    public long[] toLongArray() {
        expect(DType.INT64, DType.UINT64);
        long[] out = new long[data.length / 8];
        data().asLongBuffer().get(out);
        return out;
    }

    public short[] toShortArray() {
        expect(DType.INT16, DType.UINT16, DType.FP16);
        short[] out = new short[data.length / 2];
        data().asShortBuffer().get(out);
        return out;
    }

    public byte[] toByteArray() {
        expect(DType.INT8, DType.UINT8);
        return data.clone();
    }

    public boolean[] toBooleanArray() {
        expect(DType.BOOL);
        boolean[] out = new boolean[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = data[i] != 0;
        }
        return out;
    }

    /** The primitive array of this dtype (see the class comment). */
    public Object toArray() {
        return switch (dtype) {
            case BOOL -> toBooleanArray();
            case INT8, UINT8 -> toByteArray();
            case INT16, UINT16, FP16 -> toShortArray();
            case INT32, UINT32 -> toIntArray();
            case INT64, UINT64 -> toLongArray();
            case FP32 -> toFloatArray();
            case FP64 -> toDoubleArray();
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && t.dtype == dtype && Arrays.equals(t.shape, shape) && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor<" + dtype + ">" + Arrays.toString(shape);
    }
}
