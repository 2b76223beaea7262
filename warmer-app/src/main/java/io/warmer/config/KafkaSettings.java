package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import io.warmer.kafka.KafkaClients;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code kafka}: where change topics live and how the materializer consumes them.
 *
 * @param topicPrefix       change topics are {@code <prefix>.<schema>.<table>}; {@link #DEFAULT_TOPIC_PREFIX}
 * @param partitions        partitions of each change topic Warmer creates; the upper bound on
 *                          materializer instances working in parallel; {@link #DEFAULT_PARTITIONS}
 * @param replicationFactor of the topics Warmer creates; {@link #DEFAULT_REPLICATION_FACTOR}
 * @param applicationId     the Kafka Streams application id (consumer group); {@link #DEFAULT_APPLICATION_ID}
 * @param streamThreads     Kafka Streams threads in this process; {@link #DEFAULT_STREAM_THREADS}
 * @param stateDir          where Kafka Streams keeps its local stores (key memory, joined rows), so that a restart
 *                          reads them back instead of restoring them from the changelog topics; relative to the
 *                          working directory; each process on a host takes a slot of its own in it;
 *                          {@link #DEFAULT_STATE_DIR}
 * @param security          TLS and authentication of every client; {@link KafkaSecurity#NONE} when absent
 * @param properties        extra Kafka client properties, handed to every client that knows them (producers,
 *                          consumers, admin clients, Kafka Streams, the capture engine's offset store) over Warmer's
 *                          own tuning; the properties Warmer's correctness depends on, and those a field sets, are
 *                          refused. Keys with Kafka Streams' prefixes ({@code consumer.}, {@code producer.}, ...) reach
 *                          only Kafka Streams.
 */
public record KafkaSettings(String bootstrapServers, String topicPrefix, Integer partitions,
                            Short replicationFactor, String applicationId, Integer streamThreads, String stateDir,
                            KafkaSecurity security, Map<String, String> properties) {

    /** Properties Warmer sets itself because correctness depends on them (ordering, delivery, offsets). */
    static final Set<String> WARMER_SETS = Set.of("application.id", "group.id", "processing.guarantee",
            "enable.idempotence", "acks", "enable.auto.commit", "auto.offset.reset", "isolation.level",
            "transactional.id", "key.serializer", "value.serializer", "key.deserializer", "value.deserializer",
            "default.key.serde", "default.value.serde");
    /** Properties a field of this section sets. */
    private static final Map<String, String> FIELD_SETS = Map.of("bootstrap.servers", "kafka.bootstrap-servers",
            "num.stream.threads", "kafka.stream-threads", "state.dir", "kafka.state-dir",
            "replication.factor", "kafka.replication-factor");
    /** Kafka Streams' prefixes for the clients it creates. */
    private static final List<String> STREAMS_PREFIXES = List.of("main.consumer.", "restore.consumer.",
            "global.consumer.", "consumer.", "producer.", "admin.");

    public static final String DEFAULT_TOPIC_PREFIX = "warmer";
    public static final int DEFAULT_PARTITIONS = 4;
    public static final short DEFAULT_REPLICATION_FACTOR = 1;
    public static final String DEFAULT_APPLICATION_ID = "warmer";
    public static final int DEFAULT_STREAM_THREADS = 1;
    public static final String DEFAULT_STATE_DIR = "warmer-data/streams";

    public KafkaSettings {
        require(bootstrapServers, "bootstrap-servers", "localhost:9092");
        topicPrefix = topicPrefix == null ? DEFAULT_TOPIC_PREFIX : topicPrefix;
        if (!topicPrefix.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*")) {
            throw new InvalidFieldException("topic-prefix", "found '" + topicPrefix
                    + "', expected letters, digits, '-', '_' and '.'-separated parts");
        }
        partitions = positive(partitions == null ? DEFAULT_PARTITIONS : partitions, "partitions");
        replicationFactor = replicationFactor == null ? DEFAULT_REPLICATION_FACTOR : replicationFactor;
        positive(replicationFactor.intValue(), "replication-factor");
        applicationId = applicationId == null ? DEFAULT_APPLICATION_ID : applicationId;
        streamThreads = positive(streamThreads == null ? DEFAULT_STREAM_THREADS : streamThreads, "stream-threads");
        stateDir = stateDir == null ? DEFAULT_STATE_DIR : stateDir;
        if (stateDir.isBlank()) {
            throw new InvalidFieldException("state-dir", "found an empty path, expected a directory such as "
                    + DEFAULT_STATE_DIR);
        }
        security = security == null ? KafkaSecurity.NONE : security;
        properties = properties == null ? Map.of() : Map.copyOf(new TreeMap<>(properties));
        properties.keySet().forEach(KafkaSettings::checkProperty);
    }

    /** The defaults for security and extra properties: a plaintext cluster. */
    public KafkaSettings(String bootstrapServers, String topicPrefix, Integer partitions, Short replicationFactor,
                         String applicationId, Integer streamThreads, String stateDir) {
        this(bootstrapServers, topicPrefix, partitions, replicationFactor, applicationId, streamThreads, stateDir,
                null, null);
    }

    private static void checkProperty(String key) {
        String field = "properties." + key;
        String owner = FIELD_SETS.get(key);
        if (owner != null) {
            throw new InvalidFieldException(field, "is set by " + owner + "; set it there");
        }
        if (KafkaSecurity.OWN_PROPERTIES.contains(key)) {
            throw new InvalidFieldException(field, "is set by kafka.security; set it there, with secrets in the"
                    + " environment (password-env, jaas-config-env)");
        }
        String name = STREAMS_PREFIXES.stream().filter(key::startsWith).findFirst()
                .map(prefix -> key.substring(prefix.length())).orElse(key);
        if (WARMER_SETS.contains(name)) {
            throw new InvalidFieldException(field, "is set by Warmer itself, because correctness depends on it;"
                    + " remove it");
        }
        if (KafkaClients.secret(name)) {
            throw new InvalidFieldException(field, "is a secret, which does not belong in the file; give the whole"
                    + " login through kafka.security.sasl.jaas-config-env");
        }
        if (!KafkaClients.clientProperty(name) && !StreamsConfig.configDef().names().contains(name)) {
            throw new InvalidFieldException(field, "is not a property of a Kafka producer, consumer, admin client"
                    + " or of Kafka Streams; check its spelling against the Kafka documentation");
        }
    }

    /**
     * How every client of this process connects: the bootstrap servers, {@code security} and {@code properties}.
     * Call it on a loaded configuration, whose secrets are resolved.
     */
    public KafkaClients clients() {
        Map<String, String> connection = new LinkedHashMap<>(security.clientProperties());
        connection.putAll(properties);
        return new KafkaClients(bootstrapServers, connection);
    }

    /** These settings with the secrets of {@code security} looked up. */
    KafkaSettings resolve(Secrets secrets) {
        return new KafkaSettings(bootstrapServers, topicPrefix, partitions, replicationFactor, applicationId,
                streamThreads, stateDir, security.resolve(secrets), properties);
    }

    /** {@code state-dir} as a path. */
    public java.nio.file.Path stateDirectory() {
        return java.nio.file.Path.of(stateDir);
    }

    /** The same settings for another consumer group, e.g. a replay's. */
    public KafkaSettings withApplicationId(String id) {
        return new KafkaSettings(bootstrapServers, topicPrefix, partitions, replicationFactor, id, streamThreads, stateDir,
                security, properties);
    }

    private static int positive(int value, String field) {
        if (value < 1) {
            throw new InvalidFieldException(field, "found " + value + ", expected a number of at least 1");
        }
        return value;
    }
}
