package dev.mlbridge.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlbridge.client.errors.ErrorCodes;
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
}
