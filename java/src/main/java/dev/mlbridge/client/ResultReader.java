package dev.mlbridge.client;

import dev.mlbridge.client.catalog.CatalogEntry;
import dev.mlbridge.client.catalog.CatalogView;
import dev.mlbridge.client.codec.EncodedBody;
import dev.mlbridge.client.codec.ValueCodec;
import dev.mlbridge.client.contract.TypedCodec;
import dev.mlbridge.client.codec.WireSchemas;
import dev.mlbridge.client.errors.ErrorCodes;
import dev.mlbridge.client.errors.InternalRunnerException;
import dev.mlbridge.client.errors.MlbridgeException;
import dev.mlbridge.client.errors.RemoteErrorDetails;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * Turns a result body (a reply's or a SUCCEEDED job's) into the Java value, by the ref it names:
 * a typed pipeline's schema from the catalogue, or the generic Value, version 1 or 2 (tensors and
 * Arrow tables); a BlobRef is fetched from the blob store first.
 */
final class ResultReader {
    private final CatalogView catalog;
    private final ClaimCheck claimCheck;

    /** @param catalog where typed results' schemas are found; null: the generic Value only */
    ResultReader(CatalogView catalog, ClaimCheck claimCheck) {
        this.catalog = catalog;
        this.claimCheck = claimCheck;
    }

    /**
     * Whether {@link #read} can read a body named {@code ref} now: the generic Value, a blob
     * reference, or a typed schema the catalogue has published (a runner's new version may reach
     * its callers before the catalogue does).
     */
    boolean knows(String ref) {
        return catalog == null || WireSchemas.VALUE.ref().equals(ref) || WireSchemas.VALUE_V2.ref().equals(ref)
                || WireSchemas.BLOB_REF.ref().equals(ref) || catalog.schema(ref).isPresent();
    }

    /** @param args the body is a call's arguments (read as the pipeline's args schema), not its result */
    Object read(String requestId, String pipeline, String runner, byte[] body, String ref, boolean args) {
        if (WireSchemas.BLOB_REF.ref().equals(ref)) {
            EncodedBody fetched = claimCheck.fetch(requestId, pipeline, runner, body, args);
            if (WireSchemas.BLOB_REF.ref().equals(fetched.ref())) {
                throw failure(requestId, pipeline, runner, "UnsupportedResultSchema", "A blob reference inside a blob reference");
            }
            return read(requestId, pipeline, runner, fetched.body(), fetched.ref(), args);
        }
        Optional<Schema> writer = catalog == null ? Optional.empty() : catalog.schema(ref);
        if (writer.isPresent()) {
            // Read as this client's newest view of the pipeline (Avro schema resolution).
            Schema reader = catalog.newest(pipeline).filter(CatalogEntry::typed)
                    .flatMap(entry -> catalog.schema(args ? entry.argsRef() : entry.resultRef())).orElse(writer.get());
            try {
                return TypedCodec.decode(body, writer.get(), reader);
            } catch (RuntimeException e) {
                throw failure(requestId, pipeline, runner, "UndecodableResult", e.getMessage());
            }
        }
        boolean v2 = WireSchemas.VALUE_V2.ref().equals(ref);
        if (!v2 && !WireSchemas.VALUE.ref().equals(ref)) {
            throw failure(requestId, pipeline, runner, "UnsupportedResultSchema",
                    "The result is written with schema " + ref + ", which this client cannot read (it reads the generic Value, versions 1 and 2, and the schemas the catalogue lists)");
        }
        try {
            return ValueCodec.decode(body, v2);
        } catch (RuntimeException e) {
            throw failure(requestId, pipeline, runner, "UndecodableResult", e.getMessage());
        }
    }

    static MlbridgeException failure(String requestId, String pipeline, String runner, String type, String message) {
        return new InternalRunnerException(requestId, pipeline,
                new RemoteErrorDetails(ErrorCodes.INTERNAL, type, message, "", false, List.of()), runner);
    }
}
