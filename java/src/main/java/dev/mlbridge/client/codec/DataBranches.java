package dev.mlbridge.client.codec;

import dev.mlbridge.client.data.ArrowTable;
import dev.mlbridge.client.data.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;

/** The two branches {@code Value} version 2 adds: Tensor (dtype, shape, data) and Table (arrowStream). */
final class DataBranches {
    private DataBranches() {}

    static Tensor readTensor(BinaryDecoder d) throws IOException {
        String dtype = d.readString();
        long[] shape = new long[0];
        int n = 0;
        for (long block = d.readArrayStart(); block != 0; block = d.arrayNext()) {
            if (n + block > 64) {
                throw new CodecException("bad-body", "tensor rank above 64");
            }
            shape = java.util.Arrays.copyOf(shape, (int) (n + block));
            for (long i = 0; i < block; i++) {
                shape[n++] = d.readLong();
            }
        }
        byte[] data = bytes(d);
        try {
            return Tensor.fromWire(dtype, shape, data);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CodecException("bad-body", "Not a Value body: " + e.getMessage(), e);
        }
    }

    static ArrowTable readTable(BinaryDecoder d) throws IOException {
        byte[] stream = bytes(d);
        try {
            return ArrowTable.fromWire(stream);
        } catch (IllegalArgumentException e) {
            throw new CodecException("bad-body", "Not a Value body: " + e.getMessage(), e);
        }
    }

    static void writeTensor(BinaryEncoder e, Tensor tensor) throws IOException {
        e.writeString(tensor.dtype().name());
        long[] shape = tensor.shape();
        e.writeArrayStart();
        e.setItemCount(shape.length);
        for (long dim : shape) {
            e.startItem();
            e.writeLong(dim);
        }
        e.writeArrayEnd();
        e.writeBytes(tensor.wireBytes());
    }

    private static byte[] bytes(BinaryDecoder d) throws IOException {
        ByteBuffer buffer = d.readBytes(null);
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
