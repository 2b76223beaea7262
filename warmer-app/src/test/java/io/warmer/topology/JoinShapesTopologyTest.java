package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shapes of joined values: a joined row flattened into the value, and a value that is the joined rows alone. */
class JoinShapesTopologyTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: shop}
            redis: {uri: "redis://unused:6379"}
            families:
              - name: product
                table: products
                key: "product:${id}"
                columns: [id, name]
                join:
                  - {table: stock, on: {product_id: id}, as: stock, columns: [quantity], flatten: true}
              - name: order-list
                table: customers
                key: "customer:${id}:orders"
                value-of: orders
                join:
                  - {table: orders, on: {customer_id: id}, as: orders, columns: [id, total], many: true}
              - name: settings
                table: users
                key: "user:${id}:settings"
                value-of: settings
                join:
                  - {table: user_settings, on: {user_id: id}, as: settings, columns: [timezone]}
            """;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final InMemoryCache cache = new InMemoryCache();
    private TopologyTestDriver driver;
    private long version = 100;

    @BeforeEach
    void startDriver() {
        WarmerConfig config = new ConfigLoader(name -> null).parse(CONFIG, "join-shapes-test.yml");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "join-shapes-test");
        driver = new TopologyTestDriver(WarmerTopology.build(config, cache), props, T0);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private void change(String table, String key, String op, String row) {
        version++;
        TestInputTopic<String, String> topic = driver.createInputTopic("shop.public." + table, new StringSerializer(),
                new StringSerializer(), T0, Duration.ofMillis(1));
        topic.pipeInput(key, "{\"op\":\"" + op + "\",\"version\":" + version + ",\"commitTimeMs\":1,\"table\":\"t\""
                + (row == null ? "" : ",\"row\":" + row) + "}");
    }

    @Test
    void shouldPutAFlattenedJoinedRowsColumnsBesideTheMainRowsAndNullWithoutOne() {
        change("products", "{\"id\":1}", "r", "{\"id\":1,\"name\":\"lamp\"}");
        assertThat(cache.entries).containsEntry("product:1", "{\"id\":1,\"name\":\"lamp\",\"quantity\":null}");

        change("stock", "{\"product_id\":1}", "r", "{\"product_id\":1,\"quantity\":7}");
        assertThat(cache.entries).containsEntry("product:1", "{\"id\":1,\"name\":\"lamp\",\"quantity\":7}");

        change("stock", "{\"product_id\":1}", "u", "{\"product_id\":1,\"quantity\":6}");
        change("products", "{\"id\":1}", "u", "{\"id\":1,\"name\":\"desk lamp\"}");
        assertThat(cache.entries).containsEntry("product:1", "{\"id\":1,\"name\":\"desk lamp\",\"quantity\":6}");

        change("stock", "{\"product_id\":1}", "d", null);
        assertThat(cache.entries).containsEntry("product:1", "{\"id\":1,\"name\":\"desk lamp\",\"quantity\":null}");
    }

    @Test
    void shouldWriteTheJoinedRowsAloneAsTheValue() {
        change("customers", "{\"id\":42}", "r", "{\"id\":42,\"name\":\"Ada\"}");
        assertThat(cache.entries).containsEntry("customer:42:orders", "[]");

        change("orders", "{\"id\":10}", "r", "{\"id\":10,\"customer_id\":42,\"total\":7.00}");
        change("orders", "{\"id\":9}", "r", "{\"id\":9,\"customer_id\":42,\"total\":5.00}");
        assertThat(cache.entries).containsEntry("customer:42:orders",
                "[{\"id\":9,\"total\":5.00},{\"id\":10,\"total\":7.00}]");

        change("orders", "{\"id\":9}", "u", "{\"id\":9,\"customer_id\":7,\"total\":5.00}");
        assertThat(cache.entries).containsEntry("customer:42:orders", "[{\"id\":10,\"total\":7.00}]");

        change("customers", "{\"id\":42}", "d", null);
        assertThat(cache.entries).doesNotContainKey("customer:42:orders");
    }

    @Test
    void shouldHaveNoValueForAMainRowWithoutItsOneJoinedRow() {
        change("users", "{\"id\":5}", "r", "{\"id\":5}");
        assertThat(cache.entries).as("no settings: no value, not null").doesNotContainKey("user:5:settings");

        change("user_settings", "{\"user_id\":5}", "r", "{\"user_id\":5,\"timezone\":\"UTC\"}");
        assertThat(cache.entries).containsEntry("user:5:settings", "{\"timezone\":\"UTC\"}");

        change("user_settings", "{\"user_id\":5}", "d", null);
        assertThat(cache.entries).doesNotContainKey("user:5:settings");
    }
}
