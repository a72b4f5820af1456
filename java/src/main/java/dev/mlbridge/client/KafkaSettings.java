package dev.mlbridge.client;

import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The admin client's and the producer's settings: the user's Kafka settings plus mlbridge's own. */
final class KafkaSettings {
    private KafkaSettings() {}

    static Properties admin(ClientOptions options) {
        Properties props = options.kafka();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.brokers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, options.clientId() + "-admin");
        return props;
    }

    static Properties producer(ClientOptions options) {
        Properties props = options.kafka();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.brokers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, options.clientId());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // A call is latency-bound: no artificial wait (kafka-clients 4 defaults to 5 ms).
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(options.connectTimeout().toMillis()));
        return props;
    }
}
