package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.change.Version;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.family.CacheWrite;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A materializer reading the change topics from their beginning (a rebuild after Redis lost its data, a replay, a
 * family added later) writes keys Redis may not hold, so fencing has no version to refuse an older value with: it
 * puts only each row's latest record of the history, and a joined family nothing until the history is read.
 */
class HistoryTopologyTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: shop}
            redis: {uri: "redis://unused:6379"}
            families:
              - {name: user, table: users, key: "user:${id}"}
              - {name: by-email, table: users, key: "user:by-email:${email}", columns: [id]}
              - name: orders
                table: customers
                key: "customer:${id}:orders"
                columns: [id]
                join:
                  - {table: orders, on: {customer_id: id}, as: orders, columns: [id, total], many: true}
            """;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final InMemoryCache cache = new InMemoryCache();
    private final WarmerConfig config = new ConfigLoader(name -> null).parse(CONFIG, "history-test.yml");
    private TopologyTestDriver driver;
    private long version = 100;

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    private TestInputTopic<String, String> input(String topic) {
        return driver.createInputTopic(topic, new StringSerializer(), new StringSerializer(), T0, Duration.ofMillis(1));
    }

    private void change(TestInputTopic<String, String> topic, String key, String op, String row) {
        version++;
        topic.pipeInput(key, "{\"op\":\"" + op + "\",\"version\":" + version + ",\"commitTimeMs\":1,\"table\":\"t\""
                + (row == null ? "" : ",\"row\":" + row) + "}");
    }

    private void start(History history) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "history-test");
        driver = new TopologyTestDriver(WarmerTopology.build(config, cache, ColumnMemory.NONE, history), props, T0);
    }

    private static History.Latest latest(int... offsets) {
        BitSet bits = new BitSet();
        for (int offset : offsets) {
            bits.set(offset);
        }
        return new History.Latest(0, bits);
    }

    private List<String> valuesPut(String key) {
        return cache.applied.stream().filter(w -> w.key().equals(key) && w instanceof CacheWrite.Put)
                .map(w -> ((CacheWrite.Put) w).value()).toList();
    }

    @Test
    void shouldDeleteTheKeysALaggingReplicaKeptOfARowDeletedInTheHistory() {
        TopicPartition users = new TopicPartition("shop.public.users", 0);
        TopicPartition customers = new TopicPartition("shop.public.customers", 0);
        // Each row: its read, its delete, and the tombstone after it, which is the row's latest record.
        start(new History(Map.of(users, 3L, customers, 3L), Map.of(users, latest(2), customers, latest(2))));
        for (String key : List.of("user:1", "customer:7:orders")) {
            cache.entries.put(key, "{\"id\":0}");
            cache.versions.put(key, Version.of(50, 50));
        }
        TestInputTopic<String, String> userTopic = input("shop.public.users");
        change(userTopic, "{\"id\":1}", "r", "{\"id\":1,\"email\":\"a@x\",\"n\":1}");
        change(userTopic, "{\"id\":1}", "d", null);
        userTopic.pipeInput("{\"id\":1}", (String) null);
        TestInputTopic<String, String> customerTopic = input("shop.public.customers");
        change(customerTopic, "{\"id\":7}", "r", "{\"id\":7}");
        change(customerTopic, "{\"id\":7}", "d", null);
        customerTopic.pipeInput("{\"id\":7}", (String) null);

        assertThat(cache.entries).doesNotContainKeys("user:1", "customer:7:orders");
    }

    @Test
    void shouldPutOnlyEachRowsLatestRecordOfTheHistoryAndStillDeleteWhatTheEarlierOnesMoved() {
        TopicPartition users = new TopicPartition("shop.public.users", 0);
        // offsets 0..3 are the history; row 1's latest is 2, row 2's only record is 3
        start(new History(Map.of(users, 4L), Map.of(users, latest(2, 3))));
        // A key a lagging replica kept from before: the row's email changed since.
        cache.entries.put("user:by-email:a@x", "{\"id\":1}");
        cache.versions.put("user:by-email:a@x", Version.of(50, 50));
        TestInputTopic<String, String> topic = input("shop.public.users");

        change(topic, "{\"id\":1}", "r", "{\"id\":1,\"email\":\"a@x\",\"n\":1}");
        change(topic, "{\"id\":1}", "u", "{\"id\":1,\"email\":\"b@x\",\"n\":2}");
        change(topic, "{\"id\":1}", "u", "{\"id\":1,\"email\":\"c@x\",\"n\":3}");
        change(topic, "{\"id\":2}", "r", "{\"id\":2,\"email\":\"d@x\",\"n\":1}");

        assertThat(valuesPut("user:1")).as("only the latest value, never an older one first")
                .containsExactly("{\"id\":1,\"email\":\"c@x\",\"n\":3}");
        assertThat(valuesPut("user:by-email:b@x")).isEmpty();
        assertThat(cache.entries).doesNotContainKeys("user:by-email:a@x", "user:by-email:b@x")
                .containsEntry("user:by-email:c@x", "{\"id\":1}")
                .containsEntry("user:2", "{\"id\":2,\"email\":\"d@x\",\"n\":1}");

        // After the history, every record is written as it comes.
        change(topic, "{\"id\":1}", "u", "{\"id\":1,\"email\":\"c@x\",\"n\":4}");
        change(topic, "{\"id\":1}", "u", "{\"id\":1,\"email\":\"c@x\",\"n\":5}");
        assertThat(valuesPut("user:1")).hasSize(3).last().isEqualTo("{\"id\":1,\"email\":\"c@x\",\"n\":5}");
    }

    @Test
    void shouldHoldAJoinedFamilyUntilTheHistoryIsReadAndThenWriteEveryValueOnce() {
        TopicPartition customers = new TopicPartition("shop.public.customers", 0);
        TopicPartition orders = new TopicPartition("shop.public.orders", 0);
        History history = new History(Map.of(customers, 2L, orders, 2L),
                Map.of(customers, latest(0, 1), orders, latest(0, 1)));
        start(history);
        cache.entries.put("customer:2:orders", "{\"id\":2,\"orders\":[]}"); // kept by a lagging replica
        TestInputTopic<String, String> customerTopic = input("shop.public.customers");
        TestInputTopic<String, String> orderTopic = input("shop.public.orders");

        change(customerTopic, "{\"id\":1}", "r", "{\"id\":1}");
        change(orderTopic, "{\"id\":10}", "r", "{\"id\":10,\"customer_id\":1,\"total\":5.00}");
        change(customerTopic, "{\"id\":2}", "d", null);
        change(orderTopic, "{\"id\":11}", "r", "{\"id\":11,\"customer_id\":1,\"total\":7.00}");
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        assertThat(valuesPut("customer:1:orders")).as("no value with some of its orders while held").isEmpty();
        assertThat(cache.entries).as("deletes still apply").doesNotContainKey("customer:2:orders");
        assertThat(history.assembled(config)).isFalse();

        history.release();
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        assertThat(valuesPut("customer:1:orders")).containsExactly(
                "{\"id\":1,\"orders\":[{\"id\":10,\"total\":5.00},{\"id\":11,\"total\":7.00}]}");
        assertThat(history.assembled(config)).isTrue();

        change(orderTopic, "{\"id\":11}", "d", null);
        assertThat(cache.entries).containsEntry("customer:1:orders", "{\"id\":1,\"orders\":[{\"id\":10,\"total\":5.00}]}");
    }

    @Test
    void shouldWriteEveryRecordForTheLiveMaterializer() {
        start(History.NONE);
        TestInputTopic<String, String> topic = input("shop.public.users");
        change(topic, "{\"id\":1}", "r", "{\"id\":1,\"email\":\"a@x\",\"n\":1}");
        change(topic, "{\"id\":1}", "u", "{\"id\":1,\"email\":\"a@x\",\"n\":2}");
        assertThat(valuesPut("user:1")).hasSize(2);
    }
}
