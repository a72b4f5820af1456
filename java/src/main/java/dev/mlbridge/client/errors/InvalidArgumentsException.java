package dev.mlbridge.client.errors;

/** {@code INVALID_ARGUMENTS}: The arguments do not match the pipeline's signature or schema (origin local: found before sending). */
public class InvalidArgumentsException extends RemoteException {
    public InvalidArgumentsException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
