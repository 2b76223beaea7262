package io.warmer.kafka;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * How every Kafka client of the process connects: the bootstrap servers plus the connection properties of the
 * {@code kafka:} section (security protocol, SASL, TLS stores and any extra client property), resolved once. Every
 * admin client, producer and consumer Warmer creates is created here, so that a secured cluster is reached by all
 * of them alike; Kafka Streams and the capture engine's offset store take {@link #properties()}.
 *
 * <p>Each client gets only the connection properties its own configuration knows (a producer's {@code linger.ms}
 * is not handed to an admin client), then the settings its caller needs for correctness, which win.
 * {@link #toString()} never shows a secret: a property Kafka declares a password is masked.
 */
public final class KafkaClients {

    private static final ConfigDef PRODUCER = ProducerConfig.configDef();
    private static final ConfigDef CONSUMER = ConsumerConfig.configDef();
    private static final ConfigDef ADMIN = AdminClientConfig.configDef();

    private final String bootstrapServers;
    private final Map<String, String> connection;

    /**
     * @param connection client properties every client gets (security and extra properties); never
     *                   {@code bootstrap.servers}
     */
    public KafkaClients(String bootstrapServers, Map<String, String> connection) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (connection.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("bootstrap.servers is the first argument, not a connection property");
        }
        this.connection = Map.copyOf(connection);
    }

    /** A cluster reached without TLS or authentication, such as the demo's and the tests' in-process broker. */
    public static KafkaClients plaintext(String bootstrapServers) {
        return new KafkaClients(bootstrapServers, Map.of());
    }

    /** The value of {@code bootstrap.servers}: what messages name the cluster by. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** "Kafka at host:9093", or "Kafka at host:9093 (SASL_SSL)" when secured: how messages name the cluster. */
    public String where() {
        String protocol = connection.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
        return "Kafka at " + bootstrapServers + (protocol == null || protocol.equals("PLAINTEXT") ? "" : " (" + protocol + ")");
    }

    /**
     * {@code bootstrap.servers} and every connection property, for clients that hand them on to the clients they
     * make themselves: Kafka Streams and the capture engine's offset store. The caller adds its own settings.
     */
    public Properties properties() {
        Properties properties = new Properties();
        properties.putAll(connection);
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return properties;
    }

    /** @param settings what this admin client needs (timeouts), applied over the connection properties */
    public Admin admin(Map<String, Object> settings) {
        return Admin.create(forClient(ADMIN, settings));
    }

    /** @param settings what this producer needs for correctness (acks, idempotence), applied over the connection */
    public <K, V> KafkaProducer<K, V> producer(Map<String, Object> settings, Serializer<K> keys, Serializer<V> values) {
        return new KafkaProducer<>(forClient(PRODUCER, settings), keys, values);
    }

    /** @param settings what this consumer needs (offset reset, no auto commit), applied over the connection */
    public <K, V> KafkaConsumer<K, V> consumer(Map<String, Object> settings, Deserializer<K> keys,
                                               Deserializer<V> values) {
        return new KafkaConsumer<>(forClient(CONSUMER, settings), keys, values);
    }

    private Map<String, Object> forClient(ConfigDef known, Map<String, Object> settings) {
        Map<String, Object> properties = new HashMap<>();
        connection.forEach((key, value) -> {
            if (known.names().contains(key)) {
                properties.put(key, value);
            }
        });
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.putAll(settings);
        return properties;
    }

    /**
     * Whether some Kafka client (producer, consumer or admin) declares {@code key}: what a {@code kafka.properties}
     * entry is checked against.
     */
    public static boolean clientProperty(String key) {
        return PRODUCER.names().contains(key) || CONSUMER.names().contains(key) || ADMIN.names().contains(key);
    }

    /** Whether Kafka declares {@code key} a password, such as {@code sasl.jaas.config} or {@code ssl.key.password}. */
    public static boolean secret(String key) {
        for (ConfigDef def : Set.of(PRODUCER, CONSUMER, ADMIN)) {
            ConfigDef.ConfigKey declared = def.configKeys().get(key);
            if (declared != null && declared.type == ConfigDef.Type.PASSWORD) {
                return true;
            }
        }
        return false;
    }

    /** The connection properties with every secret masked, e.g. for a start-up line. */
    public Map<String, String> describe() {
        Map<String, String> shown = new LinkedHashMap<>();
        new TreeMap<>(connection).forEach((key, value) -> shown.put(key, secret(key) ? "****" : value));
        return shown;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KafkaClients that && bootstrapServers.equals(that.bootstrapServers)
                && connection.equals(that.connection);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bootstrapServers, connection);
    }

    @Override
    public String toString() {
        return "KafkaClients[" + bootstrapServers + describe().entrySet().stream()
                .map(e -> ", " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining()) + "]";
    }
}
