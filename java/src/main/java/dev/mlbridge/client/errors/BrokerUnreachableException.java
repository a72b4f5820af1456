package dev.mlbridge.client.errors;

/** The Kafka cluster could not be reached (at connect, or when producing a request). */
public class BrokerUnreachableException extends MlbridgeException {
    private final String brokers;

    public BrokerUnreachableException(String brokers, Throwable cause, String requestId) {
        super("Kafka brokers " + brokers + " are unreachable" + (cause == null ? "" : ": " + cause.getMessage()),
                "BROKER_UNREACHABLE", requestId, true, cause);
        this.brokers = brokers;
    }

    public String brokers() {
        return brokers;
    }
}
