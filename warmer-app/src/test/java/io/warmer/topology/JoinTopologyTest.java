package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.change.SnapshotMarker;
import io.warmer.change.Version;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Joined families on TopologyTestDriver: either side may change, arrive late or go away. */
class JoinTopologyTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: shop}
            redis: {uri: "redis://unused:6379"}
            families:
              - name: profile
                table: users
                key: "v2:user:${id}:profile"
                columns: [id, name]
                join:
                  - {table: user_settings, on: {user_id: id}, as: settings, columns: [timezone]}
              - name: by-email
                table: users
                key: "v2:user:by-email:${email}"
                columns: [id]
                join:
                  - {table: user_settings, on: {user_id: id}, as: settings, columns: [timezone]}
              - name: orders
                table: customers
                key: "v2:customer:${id}:orders"
                columns: [id]
                join:
                  - {table: orders, on: {customer_id: id}, as: orders, columns: [id, total], many: true}
            """;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final InMemoryCache cache = new InMemoryCache();
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> users;
    private TestInputTopic<String, String> settings;
    private TestInputTopic<String, String> customers;
    private TestInputTopic<String, String> orders;
    private long version = 100;

    @BeforeEach
    void startDriver() {
        WarmerConfig config = new ConfigLoader(name -> null).parse(CONFIG, "join-test.yml");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "join-test");
        driver = new TopologyTestDriver(WarmerTopology.build(config, cache), props, T0);
        users = input("shop.public.users");
        settings = input("shop.public.user_settings");
        customers = input("shop.public.customers");
        orders = input("shop.public.orders");
    }

    private TestInputTopic<String, String> input(String topic) {
        return driver.createInputTopic(topic, new StringSerializer(), new StringSerializer(), T0, Duration.ofMillis(1));
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private void change(TestInputTopic<String, String> topic, String key, String op, String row) {
        version++;
        topic.pipeInput(key, "{\"op\":\"" + op + "\",\"version\":" + version + ",\"commitTimeMs\":1,\"table\":\"t\""
                + (row == null ? "" : ",\"row\":" + row) + "}");
    }

    private static void changeAt(TestInputTopic<String, String> topic, String key, String op, String row, Version at) {
        topic.pipeInput(key, "{\"op\":\"" + op + "\",\"version\":\"" + at.text() + "\",\"commitTimeMs\":1,"
                + "\"table\":\"t\"" + (row == null ? "" : ",\"row\":" + row) + "}");
    }

    /** The capture's marker at the end of a table's snapshot, on the (single) partition of the test topic. */
    private static void snapshotComplete(TestInputTopic<String, String> topic, String table, Version startVersion) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(SnapshotMarker.HEADER, SnapshotMarker.headerValue());
        topic.pipeInput(new TestRecord<>(SnapshotMarker.keyFor(0),
                new SnapshotMarker(table, "s2", startVersion).toJson(), headers, T0));
    }

    @Test
    void shouldDeleteTheMainRowsKeysWhenAJoinedRowLacksTheColumnTheJoinIsOn() {
        change(customers, "{\"id\":1}", "r", "{\"id\":1}");
        change(orders, "{\"id\":10}", "r", "{\"id\":10,\"customer_id\":1,\"total\":5.00}");
        assertThat(cache.entries.get("v2:customer:1:orders")).contains("\"total\":5.00");

        // customer_id renamed to buyer_id: the order still belongs to the customer, the join cannot tell.
        change(orders, "{\"id\":10}", "u", "{\"id\":10,\"buyer_id\":1,\"total\":6.00}");

        assertThat(cache.entries).as("not a value with the order missing").doesNotContainKey("v2:customer:1:orders");
        assertThat(cache.counters.brokenFamilies()).containsOnlyKeys("orders");
        assertThat(cache.counters.brokenFamilies().get("orders")).startsWith("column 'customer_id' of t is not in its"
                + " changes any more (dropped or renamed?), and family orders reads it");
        change(customers, "{\"id\":1}", "u", "{\"id\":1}");
        assertThat(cache.entries).as("nor after a change of the main row").doesNotContainKey("v2:customer:1:orders");

        // Fixed and restarted, the joined table is snapshotted again: a row the join reads clears the mark.
        change(orders, "{\"id\":10}", "r", "{\"id\":10,\"customer_id\":1,\"total\":6.00}");
        assertThat(cache.entries.get("v2:customer:1:orders")).contains("\"total\":6.00");
    }

    @Test
    void shouldDeleteTheKeysOfAJoinedFamilyWhoseMainRowLacksAColumnItNames() {
        change(users, "{\"id\":1}", "r", "{\"id\":1,\"name\":\"Ada\"}");
        change(settings, "{\"user_id\":1}", "r", "{\"user_id\":1,\"timezone\":\"UTC\"}");
        assertThat(cache.entries).containsKey("v2:user:1:profile");

        change(users, "{\"id\":1}", "u", "{\"id\":1,\"full_name\":\"Ada L\"}");

        assertThat(cache.entries).doesNotContainKey("v2:user:1:profile");
        assertThat(cache.counters.brokenFamilies()).containsKey("profile");
        change(settings, "{\"user_id\":1}", "u", "{\"user_id\":1,\"timezone\":\"CET\"}");
        assertThat(cache.entries).as("a joined change does not render the main row kept from before")
                .doesNotContainKey("v2:user:1:profile");
    }

    @Test
    void shouldKeepTheNewerMainRowWhenAnOlderChangeOfItIsDeliveredAgain() {
        changeAt(users, "{\"id\":1}", "r", "{\"id\":1,\"name\":\"Ada (snapshot)\"}", Version.snapshot(500));
        changeAt(users, "{\"id\":1}", "u", "{\"id\":1,\"name\":\"Ada (before)\"}", Version.of(300, 310));

        changeAt(settings, "{\"user_id\":1}", "c", "{\"user_id\":1,\"timezone\":\"UTC\"}", Version.of(600, 610));

        assertThat(cache.entries.get("v2:user:1:profile"))
                .isEqualTo("{\"id\":1,\"name\":\"Ada (snapshot)\",\"settings\":{\"timezone\":\"UTC\"}}");
    }

    @Test
    void shouldForgetMainRowsThatTheSnapshotDidNotWriteAgain() {
        changeAt(users, "{\"id\":1}", "r", "{\"id\":1,\"name\":\"Ada\"}", Version.snapshot(100));
        changeAt(users, "{\"id\":2}", "r", "{\"id\":2,\"name\":\"Bob\"}", Version.snapshot(100));
        // Bob was deleted while nothing captured; the next snapshot writes only Ada.
        changeAt(users, "{\"id\":1}", "r", "{\"id\":1,\"name\":\"Ada\"}", Version.snapshot(500));

        snapshotComplete(users, "public.users", Version.snapshot(400));

        assertThat(cache.entries).containsKey("v2:user:1:profile").doesNotContainKey("v2:user:2:profile");
        changeAt(settings, "{\"user_id\":2}", "c", "{\"user_id\":2,\"timezone\":\"UTC\"}", Version.of(600, 610));
        assertThat(cache.entries).as("a joined change brings no forgotten main row back").doesNotContainKey("v2:user:2:profile");
    }

    @Test
    void shouldTakeJoinedRowsThatTheSnapshotDidNotWriteAgainOutOfTheirMainRow() {
        changeAt(customers, "{\"id\":7}", "r", "{\"id\":7}", Version.snapshot(100));
        changeAt(orders, "{\"id\":9}", "r", "{\"id\":9,\"customer_id\":7,\"total\":1}", Version.snapshot(100));
        changeAt(orders, "{\"id\":10}", "r", "{\"id\":10,\"customer_id\":7,\"total\":2}", Version.snapshot(100));
        changeAt(orders, "{\"id\":9}", "r", "{\"id\":9,\"customer_id\":7,\"total\":1}", Version.snapshot(500));

        snapshotComplete(orders, "public.orders", Version.snapshot(400));

        assertThat(cache.entries.get("v2:customer:7:orders")).isEqualTo("{\"id\":7,\"orders\":[{\"id\":9,\"total\":1}]}");
    }

    @Test
    void shouldNotMoveAJoinedRowBackWhenAnOlderChangeOfItIsDeliveredAgain() {
        changeAt(customers, "{\"id\":7}", "c", "{\"id\":7}", Version.of(100, 110));
        changeAt(customers, "{\"id\":8}", "c", "{\"id\":8}", Version.of(100, 120));
        changeAt(orders, "{\"id\":9}", "r", "{\"id\":9,\"customer_id\":8,\"total\":1}", Version.snapshot(500));

        changeAt(orders, "{\"id\":9}", "c", "{\"id\":9,\"customer_id\":7,\"total\":1}", Version.of(200, 210));

        assertThat(cache.entries.get("v2:customer:7:orders")).isEqualTo("{\"id\":7,\"orders\":[]}");
        assertThat(cache.entries.get("v2:customer:8:orders")).isEqualTo("{\"id\":8,\"orders\":[{\"id\":9,\"total\":1}]}");
    }

    @Test
    void shouldMergeTheOneToOneRowIntoTheValue() {
        change(users, "{\"id\":1}", "r", "{\"id\":1,\"name\":\"Ada\"}");
        change(settings, "{\"user_id\":1}", "r", "{\"user_id\":1,\"timezone\":\"UTC\"}");

        assertThat(cache.entries.get("v2:user:1:profile")).isEqualTo("{\"id\":1,\"name\":\"Ada\",\"settings\":{\"timezone\":\"UTC\"}}");
    }

    @Test
    void shouldWriteTheMainRowAloneUntilTheJoinedRowArrivesLate() {
        change(users, "{\"id\":1}", "c", "{\"id\":1,\"name\":\"Ada\"}");
        assertThat(cache.entries.get("v2:user:1:profile")).isEqualTo("{\"id\":1,\"name\":\"Ada\",\"settings\":null}");

        change(settings, "{\"user_id\":1}", "c", "{\"user_id\":1,\"timezone\":\"CET\"}");
        assertThat(cache.entries.get("v2:user:1:profile")).contains("\"settings\":{\"timezone\":\"CET\"}");
    }

    @Test
    void shouldWaitForTheMainRowWhenTheJoinedRowComesFirst() {
        change(settings, "{\"user_id\":2}", "c", "{\"user_id\":2,\"timezone\":\"UTC\"}");
        assertThat(cache.entries).doesNotContainKey("v2:user:2:profile");

        change(users, "{\"id\":2}", "c", "{\"id\":2,\"name\":\"Bob\"}");
        assertThat(cache.entries.get("v2:user:2:profile")).contains("\"settings\":{\"timezone\":\"UTC\"}");
    }

    @Test
    void shouldNestEveryOrderOfACustomerInKeyOrderAndFollowChangesMovesAndDeletes() {
        change(customers, "{\"id\":7}", "r", "{\"id\":7}");
        change(customers, "{\"id\":8}", "r", "{\"id\":8}");
        change(orders, "{\"id\":10}", "r", "{\"id\":10,\"customer_id\":7,\"total\":5.00}");
        change(orders, "{\"id\":9}", "r", "{\"id\":9,\"customer_id\":7,\"total\":3.50}");
        assertThat(cache.entries.get("v2:customer:7:orders"))
                .isEqualTo("{\"id\":7,\"orders\":[{\"id\":9,\"total\":3.50},{\"id\":10,\"total\":5.00}]}");

        change(orders, "{\"id\":10}", "u", "{\"id\":10,\"customer_id\":8,\"total\":5.00}");
        assertThat(cache.entries.get("v2:customer:7:orders")).isEqualTo("{\"id\":7,\"orders\":[{\"id\":9,\"total\":3.50}]}");
        assertThat(cache.entries.get("v2:customer:8:orders")).isEqualTo("{\"id\":8,\"orders\":[{\"id\":10,\"total\":5.00}]}");

        change(orders, "{\"id\":9}", "d", null);
        assertThat(cache.entries.get("v2:customer:7:orders")).isEqualTo("{\"id\":7,\"orders\":[]}");
    }

    @Test
    void shouldFollowAKeyMadeOfAnotherColumnInAJoinedFamily() {
        change(users, "{\"id\":3}", "c", "{\"id\":3,\"name\":\"Cy\",\"email\":\"cy@old\"}");
        change(users, "{\"id\":3}", "u", "{\"id\":3,\"name\":\"Cy\",\"email\":\"cy@new\"}");

        assertThat(cache.entries).doesNotContainKey("v2:user:by-email:cy@old");
        assertThat(cache.entries.get("v2:user:by-email:cy@new")).isEqualTo("{\"id\":3,\"settings\":null}");

        change(users, "{\"id\":3}", "d", null);
        assertThat(cache.entries).doesNotContainKey("v2:user:by-email:cy@new");
    }

    @Test
    void shouldDeleteTheEntryWhenTheMainRowIsDeleted() {
        change(users, "{\"id\":1}", "c", "{\"id\":1,\"name\":\"Ada\"}");
        change(settings, "{\"user_id\":1}", "c", "{\"user_id\":1,\"timezone\":\"UTC\"}");

        change(users, "{\"id\":1}", "d", null);

        assertThat(cache.entries).doesNotContainKey("v2:user:1:profile");
    }

    @Test
    void shouldCountTheChangesItSetsAsideByFamily() {
        settings.pipeInput("{\"user_id\":1}", "not a change");
        change(users, "{\"id\":4}", "c", "{\"id\":4,\"name\":\"Dee\",\"email\":null}");

        assertThat(cache.counters.deadLetteredByFamily())
                .as("the settings' route of each of the two families that join them; the row with no email")
                .containsExactly(Map.entry("by-email", 1L), Map.entry("join settings", 2L));
    }

    @Test
    void shouldGiveEveryWriteOfAJoinedValueAHigherVersionWhicheverSideChanged() {
        change(users, "{\"id\":1}", "c", "{\"id\":1,\"name\":\"Ada\"}");
        Version first = cache.puts.get("v2:user:1:profile").version();
        change(settings, "{\"user_id\":1}", "c", "{\"user_id\":1,\"timezone\":\"UTC\"}");
        Version second = cache.puts.get("v2:user:1:profile").version();
        change(settings, "{\"user_id\":1}", "d", null);
        Version third = cache.puts.get("v2:user:1:profile").version();
        change(users, "{\"id\":1}", "u", "{\"id\":1,\"name\":\"Ada L.\"}");
        Version fourth = cache.puts.get("v2:user:1:profile").version();

        assertThat(first).isLessThan(second);
        assertThat(second).isLessThan(third);
        assertThat(third).isLessThan(fourth);
    }
}
