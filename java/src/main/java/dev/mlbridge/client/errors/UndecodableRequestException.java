package dev.mlbridge.client.errors;

/** {@code UNDECODABLE_REQUEST}: The runner could read the request id but not the rest of the request. */
public class UndecodableRequestException extends RemoteException {
    public UndecodableRequestException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
