package dev.mlbridge.client.codec;

import java.util.HexFormat;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * One wire schema of {@code schemas/} with its single-object fingerprint.
 *
 * <p>The fingerprint is CRC-64-AVRO of the schema's Parsing Canonical Form, written as 8
 * little-endian bytes: exactly the bytes that follow {@code C3 01} in a frame. The {@code crc64:}
 * references in {@code argsSchema}/{@code resultSchema} are the hex of those bytes, not
 * {@code Long.toHexString} of the fingerprint (that is the byte-reversed form, and refused).
 */
public record WireSchema(Schema schema, String canonicalForm, byte[] fingerprint, String ref) {
    public static WireSchema of(Schema schema) {
        String canonical = SchemaNormalization.toParsingForm(schema);
        byte[] fp = littleEndian(SchemaNormalization.parsingFingerprint64(schema));
        return new WireSchema(schema, canonical, fp, "crc64:" + HexFormat.of().formatHex(fp));
    }

    /** The 8 bytes of {@code fingerprint}, least significant first. */
    public static byte[] littleEndian(long fingerprint) {
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (fingerprint >>> (8 * i));
        }
        return out;
    }

    /** The fingerprint as 16 lowercase hex digits, as in the {@code crc64:} reference. */
    public String fingerprintHex() {
        return ref.substring("crc64:".length());
    }
}
