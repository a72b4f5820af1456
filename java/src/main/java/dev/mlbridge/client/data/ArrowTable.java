package dev.mlbridge.client.data;

import java.util.Arrays;

/**
 * A columnar table as one Arrow IPC <em>stream</em> (schema, dictionaries, record batches, the
 * end-of-stream marker): the Table branch of {@code Value} version 2. The Java client carries the
 * stream's bytes as they are, checked for framing (every message complete, the end-of-stream
 * marker present) but not parsed: read it with Apache Arrow Java
 * ({@code new ArrowStreamReader(new ByteArrayInputStream(table.arrowStream()), allocator)}) and
 * write one with {@code ArrowStreamWriter}. Immutable.
 */
public final class ArrowTable {
    private final byte[] stream;

    /** @throws IllegalArgumentException when the bytes are not a complete Arrow IPC stream */
    public ArrowTable(byte[] arrowStream) {
        this(arrowStream.clone(), 0);
    }

    /** Over the array given, not copied. */
    private ArrowTable(byte[] stream, int unused) {
        ArrowStreams.check(stream);
        this.stream = stream;
    }

    /** A table over bytes read from the wire (not copied again). */
    public static ArrowTable fromWire(byte[] stream) {
        return new ArrowTable(stream, 0);
    }

    /** A copy of the IPC stream bytes. */
    public byte[] arrowStream() {
        return stream.clone();
    }

    /** The stream without a copy, for the encoder (never handed to users). */
    public byte[] wireBytes() {
        return stream;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArrowTable t && Arrays.equals(t.stream, stream);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(stream);
    }

    @Override
    public String toString() {
        return "ArrowTable[" + stream.length + " bytes]";
    }
}
