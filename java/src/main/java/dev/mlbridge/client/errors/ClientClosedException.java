package dev.mlbridge.client.errors;

/** close() ran while the call was pending, or invoke() was called after close(). */
public class ClientClosedException extends MlbridgeException {
    public ClientClosedException(String requestId) {
        super(requestId == null ? "The client is closed" : "The client was closed before request " + requestId + " got a reply",
                "CLIENT_CLOSED", requestId, true, null);
    }
}
