package dev.mlbridge.client.blobs;

import dev.mlbridge.client.codec.Envelopes;
import dev.mlbridge.client.codec.WireSchemas;
import java.io.IOException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * A claim check ({@code schemas/blob-ref.avsc}): an args or result body kept in a blob store; the
 * envelope's {@code args}/{@code result} holds this record's bare Avro body and names
 * {@link WireSchemas#BLOB_REF}.
 *
 * @param uri    {@code file:///dir/name} (or {@code s3://bucket/key}, which this client does not read)
 * @param sha256 64 lowercase hex digits
 * @param schema the ref of the body inside the blob, as argsSchema/resultSchema would have said inline
 */
public record BlobRef(String uri, long size, String sha256, String schema) {
    public byte[] encode() {
        GenericData.Record r = new GenericData.Record(WireSchemas.BLOB_REF.schema());
        r.put("uri", uri);
        r.put("size", size);
        r.put("sha256", sha256);
        r.put("schema", schema);
        return Envelopes.write(WireSchemas.BLOB_REF.schema(), r);
    }

    /** @throws IllegalArgumentException when the body is not one BlobRef */
    public static BlobRef decode(byte[] body) {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(body, null);
        try {
            GenericRecord r = new GenericDatumReader<GenericRecord>(WireSchemas.BLOB_REF.schema()).read(null, decoder);
            if (!decoder.isEnd()) {
                throw new IllegalArgumentException("Trailing bytes after the BlobRef");
            }
            return new BlobRef(r.get("uri").toString(), (Long) r.get("size"), r.get("sha256").toString(), r.get("schema").toString());
        } catch (IOException | RuntimeException e) {
            throw e instanceof IllegalArgumentException i ? i : new IllegalArgumentException("Not a BlobRef body: " + e, e);
        }
    }
}
