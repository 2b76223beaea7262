package io.warmer.topology;

import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The topology of a configuration in a {@link TopologyTestDriver} over an {@link InMemoryCache}, with the changes a
 * join test pipes in (each a version newer than the one before), for topic prefix {@code shop}.
 */
final class JoinDriver implements AutoCloseable {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    final InMemoryCache cache = new InMemoryCache();
    final WarmerConfig config;
    private final String applicationId;
    private TopologyTestDriver driver;
    /** The version of the last change piped in. */
    long version = 100;

    JoinDriver(String yaml, String applicationId) {
        this.config = new ConfigLoader(name -> null).parse(yaml, applicationId + ".yml");
        this.applicationId = applicationId;
        start(History.NONE);
    }

    /** (Re)starts the topology, reading the history given. */
    void start(History history) {
        close();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        driver = new TopologyTestDriver(WarmerTopology.build(config, cache, ColumnMemory.NONE, history), props, T0);
    }

    /** A change of {@code table}'s row {@code key}: {@code row} null for a delete; {@code extra} more fields. */
    void change(String table, String key, String op, String row, String extra) {
        version++;
        pipe("shop.public." + table, key, "{\"op\":\"" + op + "\",\"version\":" + version
                + ",\"commitTimeMs\":1,\"table\":\"t\"" + (row == null ? "" : ",\"row\":" + row) + extra + "}");
    }

    void change(String table, String key, String op, String row) {
        change(table, key, op, row, "");
    }

    void pipe(String topicName, String key, String value) {
        TestInputTopic<String, String> topic = driver.createInputTopic(topicName, new StringSerializer(),
                new StringSerializer(), T0, Duration.ofMillis(1));
        topic.pipeInput(key, value);
    }

    void advance(Duration time) {
        driver.advanceWallClockTime(time);
    }

    @Override
    public void close() {
        if (driver != null) {
            driver.close();
            driver = null;
        }
    }
}
