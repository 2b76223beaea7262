package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

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
 */
public record KafkaSettings(String bootstrapServers, String topicPrefix, Integer partitions,
                            Short replicationFactor, String applicationId, Integer streamThreads, String stateDir) {

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
    }

    /** {@code state-dir} as a path. */
    public java.nio.file.Path stateDirectory() {
        return java.nio.file.Path.of(stateDir);
    }

    /** The same settings for another consumer group, e.g. a replay's. */
    public KafkaSettings withApplicationId(String id) {
        return new KafkaSettings(bootstrapServers, topicPrefix, partitions, replicationFactor, id, streamThreads, stateDir);
    }

    private static int positive(int value, String field) {
        if (value < 1) {
            throw new InvalidFieldException(field, "found " + value + ", expected a number of at least 1");
        }
        return value;
    }
}
