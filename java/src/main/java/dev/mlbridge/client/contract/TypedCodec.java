package dev.mlbridge.client.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Typed arguments and results (docs/protocol.md §5): bare Avro bodies of a typed pipeline's own
 * schemas (published in the catalogue), from and to natural Java values
 * ({@link AvroWriting}/{@link AvroReading} say which).
 */
public final class TypedCodec {
    private TypedCodec() {}

    /** Avro's fast reader builds maps without {@link OrderedReader#newMap}. */
    private static final GenericData DATA = new GenericData();

    static {
        DATA.setFastReaderEnabled(false);
    }

    /** Maps keep the order written (Avro's reader makes a HashMap), as the other two codecs do. */
    private static final class OrderedReader extends GenericDatumReader<Object> {
        OrderedReader(Schema writer, Schema reader) {
            super(writer, reader, DATA);
        }

        @Override
        protected Object newMap(Object old, int size) {
            return new LinkedHashMap<>(Math.max(16, size * 2));
        }
    }

    /**
     * The body of {@code value} written with {@code schema}; {@code root} names it in errors.
     *
     * @throws IllegalArgumentException naming the path of a value the schema cannot hold
     */
    public static byte[] encode(Object value, Schema schema, String root) {
        Object datum = AvroWriting.write(value, schema, root);
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new GenericDatumWriter<Object>(schema).write(datum, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A body written with {@code writer}, read as {@code reader} under Avro schema resolution.
     *
     * @throws IllegalArgumentException when the body is not one such value
     */
    public static Object decode(byte[] body, Schema writer, Schema reader) {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(body, null);
        try {
            Object datum = new OrderedReader(writer, reader).read(null, decoder);
            if (!decoder.isEnd()) {
                throw new IllegalArgumentException("Trailing bytes after the " + reader.getName() + " body");
            }
            return AvroReading.read(datum, reader);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException i) {
                throw i;
            }
            throw new IllegalArgumentException("Not a " + writer.getName() + " body: " + e, e);
        }
    }
}
