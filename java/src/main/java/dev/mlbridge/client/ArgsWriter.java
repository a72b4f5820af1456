package dev.mlbridge.client;

import dev.mlbridge.client.catalog.CatalogEntry;
import dev.mlbridge.client.catalog.CatalogView;
import dev.mlbridge.client.codec.EncodedBody;
import dev.mlbridge.client.codec.ValueCodec;
import dev.mlbridge.client.codec.ValueEncodingException;
import dev.mlbridge.client.contract.TypedCodec;
import dev.mlbridge.client.errors.ErrorCodes;
import dev.mlbridge.client.errors.InvalidArgumentsException;
import dev.mlbridge.client.errors.RemoteErrorDetails;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * Arguments to their wire bytes, for invoke() and submit() alike: the typed pipeline's own args
 * record when the catalogue lists it typed (its newest version), else the generic Value (version 2
 * only when a tensor or table occurs). What the wire cannot carry is refused with
 * InvalidArgumentsException, origin local, nothing sent.
 */
final class ArgsWriter {
    private final CatalogView catalog;

    /** @param catalog null: every call as the generic Value */
    ArgsWriter(CatalogView catalog) {
        this.catalog = catalog;
    }

    EncodedBody encode(String id, String pipeline, Map<String, ?> args) {
        Optional<CatalogEntry> typed = catalog == null ? Optional.empty() : catalog.newest(pipeline).filter(CatalogEntry::typed);
        Optional<Schema> schema = typed.flatMap(entry -> catalog.schema(entry.argsRef()));
        if (schema.isPresent()) {
            try {
                return new EncodedBody(TypedCodec.encode(args, schema.get(), "args"), typed.get().argsRef());
            } catch (IllegalArgumentException e) {
                throw invalid(id, pipeline, "SchemaViolation", e.getMessage());
            }
        }
        try {
            return ValueCodec.encodeBody(args, "args");
        } catch (ValueEncodingException e) {
            throw invalid(id, pipeline, "ValueEncodingError", e.getMessage());
        }
    }

    private static InvalidArgumentsException invalid(String id, String pipeline, String type, String message) {
        return new InvalidArgumentsException(id, pipeline, RemoteErrorDetails.local(ErrorCodes.INVALID_ARGUMENTS, type, message), "local");
    }
}
