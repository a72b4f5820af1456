package dev.mlbridge.client;

import dev.mlbridge.client.codec.ValueCodec;
import dev.mlbridge.client.codec.WireSchemas;
import dev.mlbridge.client.errors.ErrorCodes;
import dev.mlbridge.client.errors.InternalRunnerException;
import dev.mlbridge.client.errors.MlbridgeException;
import dev.mlbridge.client.errors.RemoteErrorDetails;
import java.util.List;

/**
 * Turns a result body (a reply's or a SUCCEEDED job's) into the Java value, by the ref it names:
 * the generic Value, version 1 or 2 (tensors and Arrow tables).
 */
final class ResultReader {
    Object read(String requestId, String pipeline, String runner, byte[] body, String ref) {
        boolean v2 = WireSchemas.VALUE_V2.ref().equals(ref);
        if (!v2 && !WireSchemas.VALUE.ref().equals(ref)) {
            throw failure(requestId, pipeline, runner, "UnsupportedResultSchema",
                    "The result is written with schema " + ref + ", which this client cannot read (it reads the generic Value, versions 1 and 2)");
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
