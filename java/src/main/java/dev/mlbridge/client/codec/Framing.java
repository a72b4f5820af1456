package dev.mlbridge.client.codec;

import java.util.Arrays;
import java.util.HexFormat;

/** Avro single-object encoding: {@code C3 01}, the 8-byte little-endian fingerprint, the Avro body. */
public final class Framing {
    public static final int HEADER_LENGTH = 10;
    private static final byte MAGIC_0 = (byte) 0xC3;
    private static final byte MAGIC_1 = (byte) 0x01;

    private Framing() {}

    public static byte[] frame(WireSchema schema, byte[] body) {
        byte[] out = new byte[HEADER_LENGTH + body.length];
        out[0] = MAGIC_0;
        out[1] = MAGIC_1;
        System.arraycopy(schema.fingerprint(), 0, out, 2, 8);
        System.arraycopy(body, 0, out, HEADER_LENGTH, body.length);
        return out;
    }

    /**
     * The body of a frame written with {@code expected}. Refuses a frame of any other schema
     * ({@code unknown-fingerprint}); {@link Envelopes#read} then resolves other known envelope versions.
     */
    public static byte[] unframe(WireSchema expected, byte[] data) {
        if (data.length < HEADER_LENGTH) {
            throw new CodecException("too-short", "A single-object frame has at least " + HEADER_LENGTH + " bytes, got " + data.length);
        }
        if (data[0] != MAGIC_0 || data[1] != MAGIC_1) {
            throw new CodecException("bad-magic", "Not an Avro single-object frame: starts with "
                    + HexFormat.of().formatHex(data, 0, 2) + ", expected c301");
        }
        if (!Arrays.equals(data, 2, HEADER_LENGTH, expected.fingerprint(), 0, 8)) {
            throw new CodecException("unknown-fingerprint", "Frame written with schema "
                    + HexFormat.of().formatHex(data, 2, HEADER_LENGTH) + ", expected " + expected.schema().getName()
                    + " (" + expected.fingerprintHex() + ")");
        }
        return Arrays.copyOfRange(data, HEADER_LENGTH, data.length);
    }
}
