package dev.mlbridge.client.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;

/**
 * The wire schemas, read from the classpath where the build copied the repository's
 * {@code schemas/*.avsc} (one source of truth for the three codecs).
 */
public final class WireSchemas {
    public static final WireSchema VALUE = load("value");
    /** Value version 2: version 1 plus Tensor and Table ({@code schemas/value-v2.avsc}). */
    public static final WireSchema VALUE_V2 = load("value-v2");
    /** A claim check: a body kept in a blob store ({@code schemas/blob-ref.avsc}). */
    public static final WireSchema BLOB_REF = load("blob-ref");
    public static final WireSchema REQUEST = load("request");
    public static final WireSchema REPLY = load("reply");
    public static final WireSchema CATALOG = load("catalog");
    public static final WireSchema JOB = load("job");

    private WireSchemas() {}

    private static WireSchema load(String name) {
        String resource = "/dev/mlbridge/schemas/" + name + ".avsc";
        try (InputStream in = WireSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("mlbridge: " + resource + " is missing from the classpath");
            }
            return WireSchema.of(new Schema.Parser().parse(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
