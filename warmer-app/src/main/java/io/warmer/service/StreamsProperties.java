package io.warmer.service;

import io.warmer.config.WarmerConfig;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration of the materializer, derived from {@link WarmerConfig} alone. */
final class StreamsProperties {

    /**
     * How often offsets are committed, each commit waiting for Redis to acknowledge the writes
     * before it. Streams' own at-least-once default (30 s) would make catching up look slow.
     */
    static final long COMMIT_INTERVAL_MS = 1_000;
    static final long POLL_MS = 10;

    /**
     * A failed Redis flush replaces the stream thread, and the replacement gets the dead thread's
     * partitions only once the group notices it is gone: the session timeout. Streams' 45 s default
     * would stall the cache that long after a brief Redis outage.
     */
    static final int SESSION_TIMEOUT_MS = 10_000;

    private StreamsProperties() {
    }

    /** @param stateDir this process's own directory for local state (key memory), rebuilt from Kafka when empty */
    static Properties of(WarmerConfig config, java.nio.file.Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.kafka().applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.kafka().streamThreads());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.kafka().replicationFactor());
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        p.put(StreamsConfig.consumerPrefix("max.poll.records"), 2_000);
        // How long a thread with nothing to process blocks in poll (default 100 ms) before it runs the
        // punctuation that sends the sink's buffered writes: bounds the delay of the last change of a burst.
        p.put(StreamsConfig.POLL_MS_CONFIG, POLL_MS);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), SESSION_TIMEOUT_MS);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), SESSION_TIMEOUT_MS / 3);
        // Bootstrap servers, security and kafka.properties, which may override the tuning above (those that
        // correctness depends on are refused when the configuration is read).
        p.putAll(config.kafka().clients().properties());
        return p;
    }
}
