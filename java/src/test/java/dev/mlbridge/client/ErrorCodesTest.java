package dev.mlbridge.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlbridge.client.errors.ErrorCodes;
import dev.mlbridge.client.errors.IncompatibleArgumentsException;
import dev.mlbridge.client.errors.UnsupportedEnvelopeException;
import dev.mlbridge.client.errors.InvocationCancelledException;
import dev.mlbridge.client.errors.MlbridgeException;
import dev.mlbridge.client.errors.RemoteCause;
import dev.mlbridge.client.errors.RemoteErrorDetails;
import dev.mlbridge.client.errors.RemoteException;
import dev.mlbridge.client.errors.RequestTooLargeException;
import dev.mlbridge.client.errors.RunnerException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The codes mirror schemas/error-codes.json (as src/errors and the runner's error_codes do). */
class ErrorCodesTest {
    private static RemoteErrorDetails details(String code) {
        return new RemoteErrorDetails(code, "mypkg.errors.DataError", "boom", "Traceback…", true, List.of(new RemoteCause("KeyError", "'x'")));
    }

    @Test
    void theCodesAreExactlyThoseOfTheSharedFile() {
        Set<String> shared = new HashSet<>();
        Vectors.load("../error-codes.json").get("codes").fieldNames().forEachRemaining(shared::add);
        assertEquals(shared, ErrorCodes.CODES);
    }

    @Test
    void everyCodeHasAClassOfItsOwnCarryingTheRemoteDetails() {
        Set<Class<?>> classes = new HashSet<>();
        for (String code : ErrorCodes.CODES) {
            MlbridgeException e = ErrorCodes.fromReply("r-1", "train", details(code), "host/1/ab");
            assertEquals(code, e.code());
            assertEquals("r-1", e.requestId());
            assertTrue(classes.add(e.getClass()), code + " shares " + e.getClass());
            if (e instanceof RemoteException remote) {
                assertEquals("mypkg.errors.DataError", remote.remoteType());
                assertEquals("KeyError", remote.causes().get(0).type());
                assertEquals("host/1/ab", remote.runner());
                assertEquals("remote", remote.origin());
                assertTrue(remote.retryable());
            }
        }
        assertInstanceOf(InvocationCancelledException.class, ErrorCodes.fromReply("r", "p", details("CANCELLED"), "h"));
        assertInstanceOf(RequestTooLargeException.class, ErrorCodes.fromReply("r", "p", details("REQUEST_TOO_LARGE"), "h"));
        // A code from a newer runner still arrives typed, with its details.
        RunnerException newer = assertInstanceOf(RunnerException.class, ErrorCodes.fromReply("r", "p", details("SOMETHING_NEW"), "h"));
        assertEquals("SOMETHING_NEW", newer.code());
    }

    @Test
    void incompatibleArgumentsReadsTheFieldAndBothSchemasFromTheRunnersMessage() {
        String message = "typed_add(): field 'config.momentum' is not in this runner's arguments schema and its value is not the field's default, "
                + "so reading the call would drop it; client schema crc64:0123456789abcdef (version 2), runner schema crc64:fedcba9876543210 (version 1)";
        IncompatibleArgumentsException e = assertInstanceOf(IncompatibleArgumentsException.class, ErrorCodes.fromReply("req-9", "typed_add",
                new RemoteErrorDetails("INCOMPATIBLE_ARGUMENTS", "mlbridge_runner.errors.IncompatibleArguments", message, "", true, List.of()), "r"));
        assertEquals("config.momentum", e.field());
        assertEquals("crc64:0123456789abcdef", e.clientSchema());
        assertEquals(2, e.clientVersion());
        assertEquals("crc64:fedcba9876543210", e.runnerSchema());
        assertEquals(1, e.runnerVersion());
        assertTrue(e.retryable());
        IncompatibleArgumentsException bare = new IncompatibleArgumentsException("r", "p",
                new RemoteErrorDetails("INCOMPATIBLE_ARGUMENTS", "X", "client schema crc64:00 (version unknown)", "", true, List.of()), "r");
        assertEquals("", bare.field());
        assertEquals(-1, bare.clientVersion());
        assertEquals(-1, bare.runnerVersion());
    }

    @Test
    void unsupportedEnvelopeReadsTheFingerprintAndTheRunnersVersions() {
        String message = "the request's envelope version is unknown to this runner: request envelope fingerprint 1b5d3c7b539c9c89 is not a version this reader knows "
                + "(it reads v0 c2a8c5d36098a0f2, v1 c6bdd8d6a1a66e41 (current), v2 b35779aad0776def); schemas/versions/index.json lists the published versions";
        UnsupportedEnvelopeException e = assertInstanceOf(UnsupportedEnvelopeException.class, ErrorCodes.fromReply("req-9", "p",
                new RemoteErrorDetails("UNSUPPORTED_ENVELOPE", "mlbridge_runner.codec.envelope_versions.UnsupportedEnvelope", message, "", false, List.of()), "r"));
        assertEquals("1b5d3c7b539c9c89", e.fingerprint());
        assertEquals(List.of(new UnsupportedEnvelopeException.KnownVersion(0, "c2a8c5d36098a0f2"),
                new UnsupportedEnvelopeException.KnownVersion(1, "c6bdd8d6a1a66e41"),
                new UnsupportedEnvelopeException.KnownVersion(2, "b35779aad0776def")), e.knownVersions());
        assertEquals(1, e.runnerVersion());
        assertEquals("req-9", e.requestId());
    }
}
