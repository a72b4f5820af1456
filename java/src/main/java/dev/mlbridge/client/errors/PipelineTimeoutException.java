package dev.mlbridge.client.errors;

/** {@code PIPELINE_TIMEOUT}: The pipeline ran past its own time limit. */
public class PipelineTimeoutException extends RemoteException {
    public PipelineTimeoutException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
