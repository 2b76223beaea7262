package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.change.DeadLetterHeaders;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.sink.SinkCounters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WarmerTopologyTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: shop}
            redis: {uri: "redis://unused:6379"}
            families:
              - name: user-profile-v2
                table: users
                key: "v2:user:${id}:profile"
                columns: [id, name]
                ttl: 1h
              - name: user-profile-v1
                table: users
                key: "user:${id}:profile"
                columns: [id, name]
              - name: order
                table: sales.orders
                key: "order:${id}"
              - name: by-email
                table: users
                key: "user:by-email:${email}"
                where: {status: active}
                value: hash
                columns: [id, status]
            """;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final InMemoryCache cache = new InMemoryCache();
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> users;
    private TestInputTopic<String, String> orders;
    private TestOutputTopic<String, String> deadLetters;

    @BeforeEach
    void startDriver() {
        WarmerConfig config = new ConfigLoader(name -> null).parse(CONFIG, "test.yml");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        driver = new TopologyTestDriver(WarmerTopology.build(config, cache), props, T0);
        users = driver.createInputTopic("shop.public.users", new StringSerializer(), new StringSerializer(), T0, Duration.ofMillis(1));
        orders = driver.createInputTopic("shop.sales.orders", new StringSerializer(), new StringSerializer(), T0, Duration.ofMillis(1));
        deadLetters = driver.createOutputTopic("shop.dead-letter", new StringDeserializer(), new StringDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private static String change(String op, long version, String row) {
        return "{\"op\":\"" + op + "\",\"version\":" + version + ",\"commitTimeMs\":1,\"table\":\"public.users\""
                + (row == null ? "" : ",\"row\":" + row) + "}";
    }

    @Test
    void shouldWriteEveryFamilyOfATableForASnapshottedRow() {
        users.pipeInput("{\"id\":42}", change("r", 10, "{\"id\":42,\"name\":\"Ada\",\"email\":\"a@x\"}"));

        assertThat(cache.entries).containsEntry("v2:user:42:profile", "{\"id\":42,\"name\":\"Ada\"}")
                .containsEntry("user:42:profile", "{\"id\":42,\"name\":\"Ada\"}");
        assertThat(cache.puts.get("v2:user:42:profile").ttl()).isEqualTo(Duration.ofHours(1));
        assertThat(cache.puts.get("user:42:profile").ttl()).isNull();
    }

    @Test
    void shouldOverwriteTheValueWhenTheRowIsUpdated() {
        users.pipeInput("{\"id\":42}", change("r", 10, "{\"id\":42,\"name\":\"Ada\"}"));
        users.pipeInput("{\"id\":42}", change("u", 11, "{\"id\":42,\"name\":\"Ada L.\"}"));

        assertThat(cache.entries).containsEntry("v2:user:42:profile", "{\"id\":42,\"name\":\"Ada L.\"}");
    }

    @Test
    void shouldDeleteAllKeysOfARowWhenTheRowIsDeleted() {
        users.pipeInput("{\"id\":42}", change("c", 10, "{\"id\":42,\"name\":\"Ada\",\"email\":null,\"status\":\"inactive\"}"));
        users.pipeInput("{\"id\":42}", change("d", 11, null));
        users.pipeInput("{\"id\":42}", (String) null);

        assertThat(cache.entries).doesNotContainKeys("v2:user:42:profile", "user:42:profile");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldRememberKeysMadeOfOtherColumnsAndRemoveThemWhenTheyChange() {
        users.pipeInput("{\"id\":5}", change("c", 20, "{\"id\":5,\"email\":\"a@x\",\"status\":\"active\"}"));
        users.pipeInput("{\"id\":5}", change("u", 21, "{\"id\":5,\"email\":\"b@x\",\"status\":\"active\"}"));

        assertThat(cache.entries).doesNotContainKey("user:by-email:a@x").containsKey("user:by-email:b@x");

        users.pipeInput("{\"id\":5}", change("d", 22, null));
        assertThat(cache.entries).doesNotContainKey("user:by-email:b@x");
    }

    @Test
    void shouldNotLetAChangeDeliveredAgainAfterANewerOneRewindTheKeysItRemembers() {
        users.pipeInput("{\"id\":1}", change("u", 200, "{\"id\":1,\"name\":\"A\",\"email\":\"new@x\",\"status\":\"active\"}"));
        users.pipeInput("{\"id\":1}", change("u", 150, "{\"id\":1,\"name\":\"A\",\"email\":\"old@x\",\"status\":\"active\"}"));

        users.pipeInput("{\"id\":1}", change("d", 300, null));

        assertThat(cache.entries).as("the delete finds the key the newer change wrote")
                .doesNotContainKey("user:by-email:new@x").doesNotContainKey("user:by-email:old@x");
    }

    @Test
    void shouldPassOverASnapshotMarker() {
        org.apache.kafka.common.header.internals.RecordHeaders headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add(io.warmer.change.SnapshotMarker.HEADER, io.warmer.change.SnapshotMarker.headerValue());
        users.pipeInput(new TestRecord<>(io.warmer.change.SnapshotMarker.keyFor(0), new io.warmer.change.SnapshotMarker(
                "public.users", "s1", io.warmer.change.Version.snapshot(1)).toJson(), headers, T0));

        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(cache.entries).isEmpty();
    }

    @Test
    void shouldRemoveTheKeysOfARowThatStopsMatchingItsFilter() {
        users.pipeInput("{\"id\":6}", change("c", 30, "{\"id\":6,\"email\":\"c@x\",\"status\":\"active\"}"));
        assertThat(cache.entries.get("user:by-email:c@x")).isEqualTo("{id=6, status=active}");

        users.pipeInput("{\"id\":6}", change("u", 31, "{\"id\":6,\"email\":\"c@x\",\"status\":\"banned\"}"));
        assertThat(cache.entries).doesNotContainKey("user:by-email:c@x");
    }

    @Test
    void shouldKeepTablesApart() {
        orders.pipeInput("{\"id\":7}", change("c", 5, "{\"id\":7,\"total\":\"9.99\"}"));

        assertThat(cache.entries).containsOnlyKeys("order:7");
    }

    @Test
    void shouldSendAMalformedChangeToTheDeadLetterTopicWithTheReasonAndGoOn() {
        users.pipeInput("{\"id\":1}", "this is not a change");
        users.pipeInput("{\"id\":2}", change("c", 12, "{\"id\":2,\"name\":\"Bob\",\"email\":null,\"status\":\"inactive\"}"));

        TestRecord<String, String> letter = deadLetters.readRecord();
        assertThat(letter.key()).isEqualTo("{\"id\":1}");
        assertThat(letter.value()).isEqualTo("this is not a change");
        Map<String, String> headers = new java.util.HashMap<>();
        for (Header h : letter.headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        assertThat(headers).containsEntry(DeadLetterHeaders.SOURCE_TOPIC, "shop.public.users")
                .containsEntry(DeadLetterHeaders.SOURCE_OFFSET, "0")
                .containsKey(DeadLetterHeaders.REASON);
        assertThat(headers.get(DeadLetterHeaders.REASON)).contains("not a change record");
        assertThat(cache.entries).containsKey("v2:user:2:profile");
        assertThat(cache.counters.deadLetteredByFamily()).as("unreadable before any family saw it")
                .containsExactly(Map.entry(SinkCounters.UNATTRIBUTED, 1L));
    }

    @Test
    void shouldDeadLetterARowWhoseKeyColumnIsNull() {
        users.pipeInput("{\"id\":3}", change("c", 13, "{\"id\":null,\"name\":\"Nobody\",\"email\":null,\"status\":\"inactive\"}"));

        TestRecord<String, String> letter = deadLetters.readRecord();
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo("column 'id' of key template 'v2:user:${id}:profile' is NULL in the row");
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.FAMILY).value(), StandardCharsets.UTF_8))
                .isEqualTo("user-profile-v2");
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.TABLE).value(), StandardCharsets.UTF_8))
                .isEqualTo("public.users");
        // Every family whose key needs the column sets the row aside, each with its own letter.
        assertThat(cache.counters.deadLetteredByFamily())
                .containsExactly(Map.entry("user-profile-v1", 1L), Map.entry("user-profile-v2", 1L));
    }

    @Test
    void shouldStillApplyARowForTheFamiliesThatCanMapItWhenOneCannot() {
        users.pipeInput("{\"id\":4}", change("c", 14, "{\"id\":4,\"name\":\"Dana\",\"email\":null,\"status\":\"active\"}"));

        TestRecord<String, String> letter = deadLetters.readRecord();
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.FAMILY).value(), StandardCharsets.UTF_8))
                .isEqualTo("by-email");
        assertThat(deadLetters.isEmpty()).as("one letter: only by-email cannot map the row").isTrue();
        assertThat(cache.entries).containsEntry("v2:user:4:profile", "{\"id\":4,\"name\":\"Dana\"}")
                .containsEntry("user:4:profile", "{\"id\":4,\"name\":\"Dana\"}");
        assertThat(cache.counters.deadLetteredByFamily()).containsExactly(Map.entry("by-email", 1L));
    }
}
