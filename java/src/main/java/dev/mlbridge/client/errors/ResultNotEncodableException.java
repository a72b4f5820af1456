package dev.mlbridge.client.errors;

/** {@code RESULT_NOT_ENCODABLE}: The pipeline returned a value the wire cannot carry. */
public class ResultNotEncodableException extends RemoteException {
    public ResultNotEncodableException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
