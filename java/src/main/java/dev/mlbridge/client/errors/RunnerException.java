package dev.mlbridge.client.errors;

/** {@code (any other code)}: A code this client does not know (a newer runner): the remote details are kept. */
public class RunnerException extends RemoteException {
    public RunnerException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
