package dev.mlbridge.client.errors;

/** {@code PIPELINE_ERROR}: The pipeline raised an exception: see remoteType, remoteTraceback and causes. */
public class PipelineException extends RemoteException {
    public PipelineException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
