package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.change.DeadLetterHeaders;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
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

/** Families with computed keys, fields, conditions and TTLs, through the whole topology. */
class ExpressionTopologyTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: shop}
            redis: {uri: "redis://unused:6379"}
            families:
              - name: card
                table: users
                key: "user:${id}:card"
                where: "deleted_at == null && tier != 'banned'"
                fields:
                  id: id
                  name: "first_name + ' ' + last_name"
                  contact.email: "email == null ? 'none' : lower(email)"
                  since: "formatTime(created_at, 'yyyy-MM')"
                  discount: "tier == 'pro' ? optional.of(10) : optional.none()"
                ttl: "tier == 'pro' ? duration('24h') : duration('1h')"
              - name: by-email
                table: users
                key: "user:by-email:${lower(email)}"
                value: string
                columns: [id]
            """;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final InMemoryCache cache = new InMemoryCache();
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> users;
    private TestOutputTopic<String, String> deadLetters;

    @BeforeEach
    void startDriver() {
        WarmerConfig config = new ConfigLoader(name -> null).parse(CONFIG, "test.yml");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "expression-topology-test");
        driver = new TopologyTestDriver(WarmerTopology.build(config, cache), props, T0);
        users = driver.createInputTopic("shop.public.users", new StringSerializer(), new StringSerializer(), T0,
                Duration.ofMillis(1));
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

    private static String user(String first, String email, String tier) {
        return "{\"id\":7,\"first_name\":" + (first == null ? "null" : "\"" + first + "\"") + ",\"last_name\":\"Lovelace\","
                + "\"email\":" + (email == null ? "null" : "\"" + email + "\"") + ",\"tier\":\"" + tier + "\","
                + "\"created_at\":\"2025-11-30T23:00:00Z\",\"deleted_at\":null}";
    }

    @Test
    void shouldWriteTheComputedKeyValueAndTtl() {
        users.pipeInput("{\"id\":7}", change("r", 10, user("Ada", "Ada@Example.com", "pro")));

        assertThat(cache.entries).containsEntry("user:7:card", "{\"id\":7,\"name\":\"Ada Lovelace\",\"contact\":"
                + "{\"email\":\"ada@example.com\"},\"since\":\"2025-11\",\"discount\":10}")
                .containsEntry("user:by-email:ada@example.com", "7");
        assertThat(cache.puts.get("user:7:card").ttl()).isEqualTo(Duration.ofHours(24));

        users.pipeInput("{\"id\":7}", change("u", 11, user("Ada", null, "free")));
        assertThat(cache.entries).containsEntry("user:7:card", "{\"id\":7,\"name\":\"Ada Lovelace\",\"contact\":"
                + "{\"email\":\"none\"},\"since\":\"2025-11\"}");
        assertThat(cache.puts.get("user:7:card").ttl()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldMoveAComputedKeyWhenItsColumnChanges() {
        users.pipeInput("{\"id\":7}", change("r", 10, user("Ada", "Ada@Example.com", "pro")));
        users.pipeInput("{\"id\":7}", change("u", 11, user("Ada", "ADA@new.example", "pro")));

        assertThat(cache.entries).doesNotContainKey("user:by-email:ada@example.com")
                .containsEntry("user:by-email:ada@new.example", "7");

        users.pipeInput("{\"id\":7}", change("d", 12, null));
        assertThat(cache.entries).doesNotContainKeys("user:by-email:ada@new.example", "user:7:card");
    }

    @Test
    void shouldDeleteTheKeysOfARowThatStopsMatchingAnExpressionCondition() {
        users.pipeInput("{\"id\":7}", change("r", 10, user("Ada", "a@x", "pro")));
        users.pipeInput("{\"id\":7}", change("u", 11, user("Ada", "a@x", "banned")));

        assertThat(cache.entries).doesNotContainKey("user:7:card").containsKey("user:by-email:a@x");
    }

    @Test
    void shouldDeadLetterARowAnExpressionFailsForAndDeleteWhatItWroteBefore() {
        users.pipeInput("{\"id\":7}", change("r", 10, user("Ada", "a@x", "pro")));
        users.pipeInput("{\"id\":7}", change("u", 11, user(null, null, "pro")));

        Map<String, String> reasons = new java.util.HashMap<>();
        while (!deadLetters.isEmpty()) {
            TestRecord<String, String> letter = deadLetters.readRecord();
            reasons.put(header(letter, DeadLetterHeaders.FAMILY), header(letter, DeadLetterHeaders.REASON));
        }
        assertThat(reasons.get("card")).startsWith("field 'name': 'first_name + ' ' + last_name' failed for this row");
        assertThat(reasons.get("by-email")).startsWith("key template 'user:by-email:${lower(email)}': 'lower(email)'"
                + " failed for this row");
        assertThat(cache.entries).as("absent rather than the values of the row before")
                .doesNotContainKeys("user:7:card", "user:by-email:a@x");
        assertThat(cache.counters.deadLetteredByFamily()).containsOnly(Map.entry("card", 1L), Map.entry("by-email", 1L));
    }

    private static String header(TestRecord<String, String> letter, String name) {
        return new String(letter.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
