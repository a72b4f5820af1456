package dev.mlbridge.client.errors;

/**
 * {@code POISON_MESSAGE}: runner processes died while running the request as many times as the runners
 * allow ({@code --max-deliveries}); it was dead-lettered with reason {@code poison}. Retrying does the same.
 */
public class PoisonMessageException extends RemoteException {
    public PoisonMessageException(String requestId, String pipeline, RemoteErrorDetails details, String runner) {
        super(requestId, pipeline, details, runner);
    }
}
