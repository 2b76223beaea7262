package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sets and sorted sets as indexes: members follow their rows between keys, and an older change never moves one. */
class IndexTopologyTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: shop}
            redis: {uri: "redis://unused:6379"}
            families:
              - name: by-tier
                table: users
                key: "tier:${tier}:users"
                where: "deleted_at == null"
                value: set
                member: id
              - name: recent-orders
                table: orders
                key: "user:${user_id}:recent-orders"
                value: sorted-set
                member: id
                score: placed_at
            """;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final InMemoryCache cache = new InMemoryCache();
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> users;
    private TestInputTopic<String, String> orders;

    @BeforeEach
    void startDriver() {
        WarmerConfig config = new ConfigLoader(name -> null).parse(CONFIG, "test.yml");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "index-topology-test");
        driver = new TopologyTestDriver(WarmerTopology.build(config, cache), props, T0);
        users = driver.createInputTopic("shop.public.users", new StringSerializer(), new StringSerializer(), T0,
                Duration.ofMillis(1));
        orders = driver.createInputTopic("shop.public.orders", new StringSerializer(), new StringSerializer(), T0,
                Duration.ofMillis(1));
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private static String change(String table, String op, long version, String row) {
        return "{\"op\":\"" + op + "\",\"version\":" + version + ",\"commitTimeMs\":1,\"table\":\"public." + table + "\""
                + (row == null ? "" : ",\"row\":" + row) + "}";
    }

    private static String user(long id, String tier) {
        return "{\"id\":" + id + ",\"tier\":\"" + tier + "\",\"deleted_at\":null}";
    }

    @Test
    void shouldKeepOneSetOfIdsPerGroupThroughMovesAndDeletes() {
        users.pipeInput("{\"id\":1}", change("users", "r", 10, user(1, "pro")));
        users.pipeInput("{\"id\":2}", change("users", "r", 11, user(2, "pro")));
        users.pipeInput("{\"id\":3}", change("users", "r", 12, user(3, "free")));
        assertThat(cache.members.get("tier:pro:users")).containsOnlyKeys("1", "2");
        assertThat(cache.members.get("tier:free:users")).containsOnlyKeys("3");

        users.pipeInput("{\"id\":2}", change("users", "u", 13, user(2, "free")));
        assertThat(cache.members.get("tier:pro:users")).as("moved out").containsOnlyKeys("1");
        assertThat(cache.members.get("tier:free:users")).as("moved in").containsOnlyKeys("2", "3");

        users.pipeInput("{\"id\":3}", change("users", "d", 14, null)); // the primary key only: the key is remembered
        users.pipeInput("{\"id\":1}", change("users", "u", 15,
                "{\"id\":1,\"tier\":\"pro\",\"deleted_at\":\"2026-01-01T00:00:00Z\"}"));
        assertThat(cache.members).doesNotContainKey("tier:pro:users");
        assertThat(cache.members.get("tier:free:users")).containsOnlyKeys("2");
    }

    @Test
    void shouldNotLetAnOlderChangeOfAMemberMoveItBack() {
        users.pipeInput("{\"id\":1}", change("users", "r", 10, user(1, "pro")));
        users.pipeInput("{\"id\":1}", change("users", "u", 20, user(1, "team")));
        users.pipeInput("{\"id\":1}", change("users", "u", 15, user(1, "pro"))); // delivered again, late

        assertThat(cache.members).containsOnlyKeys("tier:team:users");
        assertThat(cache.members.get("tier:team:users")).containsOnlyKeys("1");
    }

    @Test
    void shouldScoreEachOrderByItsTimeAndFollowItsParent() {
        orders.pipeInput("{\"id\":9}", change("orders", "r", 10,
                "{\"id\":9,\"user_id\":42,\"placed_at\":\"2026-01-01T00:00:01Z\"}"));
        orders.pipeInput("{\"id\":10}", change("orders", "r", 11,
                "{\"id\":10,\"user_id\":42,\"placed_at\":\"2026-01-01T00:00:02Z\"}"));
        assertThat(cache.members.get("user:42:recent-orders"))
                .containsOnly(Map.entry("10", 1_767_225_602_000.0), Map.entry("9", 1_767_225_601_000.0));

        orders.pipeInput("{\"id\":9}", change("orders", "u", 12,
                "{\"id\":9,\"user_id\":7,\"placed_at\":\"2026-01-01T00:00:03Z\"}"));
        orders.pipeInput("{\"id\":10}", change("orders", "d", 13, null));
        assertThat(cache.members).containsOnlyKeys("user:7:recent-orders");
        assertThat(cache.members.get("user:7:recent-orders")).containsEntry("9", 1_767_225_603_000.0);
    }
}
