package io.warmer.service;

import io.warmer.capture.CaptureException;
import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.config.KafkaSettings;
import io.warmer.config.WarmerConfig;
import io.warmer.kafka.KafkaClients;
import io.warmer.sink.SinkCounters;
import io.warmer.topology.DebeziumTopicsTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture role with {@code source.debezium-topics}: a Kafka Streams application of its own
 * ({@code <application-id>-debezium-topics}) running {@link DebeziumTopicsTopology}, which fills Warmer's change
 * topics from the Debezium deployment's. No replication slot, no snapshot of Warmer's own: the deployment's snapshot
 * and stream arrive as its topics hold them. Any number of processes may run it: the group shares the partitions.
 */
final class DebeziumTopicsSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DebeziumTopicsSource.class);
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final Path stateDir;
    private final CompletableFuture<Void> failure = new CompletableFuture<>();

    private DebeziumTopicsSource(KafkaStreams streams, Path stateDir) {
        this.streams = streams;
        this.stateDir = stateDir;
    }

    /** The application id of the translation, beside the materializer's. */
    static String applicationId(KafkaSettings kafka) {
        return kafka.applicationId() + "-debezium-topics";
    }

    /**
     * @throws CaptureException naming the Debezium topics that do not exist, or the refusal of Kafka
     */
    static DebeziumTopicsSource start(WarmerConfig config, SinkCounters counters) {
        KafkaClients kafka = config.kafka().clients();
        requireInputs(config, kafka);
        ChangeTopicProvisioner.ensureTopics(kafka, ChangeTopicProvisioner.changeTopics(config.kafka().topicPrefix(),
                config.tables(), config.kafka().partitions(), config.kafka().replicationFactor()));
        Path stateDir;
        try {
            // Nothing on disk is kept: the translation's one store (each partition's position) lives in memory and is
            // restored from its changelog, and each process needs a directory of its own.
            stateDir = Files.createTempDirectory("warmer-debezium-topics-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a directory for Kafka Streams: " + e.getMessage(), e);
        }
        Properties properties = StreamsProperties.of(config, stateDir);
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(config.kafka()));
        KafkaStreams streams = new KafkaStreams(DebeziumTopicsTopology.build(config, counters), properties);
        DebeziumTopicsSource source = new DebeziumTopicsSource(streams, stateDir);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.warn("A thread translating the Debezium topics failed and is being replaced: {}", e.getMessage(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((next, previous) -> {
            if (next == KafkaStreams.State.ERROR) {
                source.failure.complete(null);
            }
        });
        streams.start();
        LOG.info("Reading the Debezium topics {} into Warmer's change topics", DebeziumTopicsTopology.inputTopics(config));
        return source;
    }

    private static void requireInputs(WarmerConfig config, KafkaClients kafka) {
        List<String> missing = ChangeTopicProvisioner.missing(kafka, DebeziumTopicsTopology.inputTopics(config));
        if (!missing.isEmpty()) {
            throw new CaptureException("The Debezium topics " + missing + " do not exist on " + kafka.where()
                    + ": check source.debezium-topics.topic-prefix (a table's topic is <prefix>.<schema>.<table>,"
                    + " or name it under source.debezium-topics.topics) and that the connector captures the table.");
        }
    }

    /** Completes when the translation stopped on an error. */
    CompletableFuture<Void> failure() {
        return failure;
    }

    boolean running() {
        return streams.state() == KafkaStreams.State.RUNNING || streams.state() == KafkaStreams.State.REBALANCING;
    }

    @Override
    public void close() {
        streams.close(CLOSE_WITHIN);
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("Could not remove {}: {}", stateDir, e.getMessage());
        }
    }
}
