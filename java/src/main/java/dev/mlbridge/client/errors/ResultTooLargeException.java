package dev.mlbridge.client.errors;

/** {@code RESULT_TOO_LARGE}: The pipeline's result is larger than the reply topic accepts. */
public class ResultTooLargeException extends RemoteException {
    public ResultTooLargeException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
