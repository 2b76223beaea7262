package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.WarmerConfig;
import io.warmer.family.CacheWrite;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Joins two levels deep: each order with its lines, and each line with its product, right as any of them changes. */
class NestedJoinTopologyTest {

    private static final String CONFIG = """
            source: {postgres: {host: localhost, database: app, user: warmer}}
            kafka: {bootstrap-servers: "unused:9092", topic-prefix: shop, application-id: nested-test}
            redis: {uri: "redis://unused:6379"}
            families:
              - name: order
                table: orders
                key: "order:${id}"
                columns: [id, status]
                join:
                  - table: order_lines
                    on: {order_id: id}
                    as: lines
                    columns: [id, quantity, product]
                    many: true
                    join:
                      - {table: products, lookup: {product_id: id}, as: product, columns: [name]}
            """;
    private JoinDriver join;
    private InMemoryCache cache;
    private WarmerConfig config;

    @BeforeEach
    void startDriver() {
        join = new JoinDriver(CONFIG, "nested-test");
        cache = join.cache;
        config = join.config;
    }

    @AfterEach
    void closeDriver() {
        join.close();
    }

    private void start(History history) {
        join.start(history);
    }

    private void change(String table, int id, String op, String row) {
        join.change(table, "{\"id\":" + id + "}", op, row);
    }

    private void product(int id, String name) {
        change("products", id, "u", "{\"id\":" + id + ",\"name\":\"" + name + "\"}");
    }

    private void line(int id, int order, Integer product, int quantity) {
        change("order_lines", id, "u", "{\"id\":" + id + ",\"order_id\":" + order + ",\"product_id\":" + product
                + ",\"quantity\":" + quantity + "}");
    }

    private static String lineJson(int id, int quantity, String product) {
        return "{\"id\":" + id + ",\"quantity\":" + quantity + ",\"product\":"
                + (product == null ? "null" : "{\"name\":\"" + product + "\"}") + "}";
    }

    private static String order(int id, String status, String... lines) {
        return "{\"id\":" + id + ",\"status\":\"" + status + "\",\"lines\":[" + String.join(",", lines) + "]}";
    }

    @Test
    void shouldKeepEachOrderWithItsLinesAndEachLinesProductAsAnyOfThemChanges() {
        product(7, "lamp");
        product(8, "desk");
        change("orders", 1, "u", "{\"id\":1,\"status\":\"open\"}");
        line(10, 1, 7, 2);
        line(11, 1, 8, 1);
        assertThat(cache.entries).containsEntry("order:1", order(1, "open", lineJson(10, 2, "lamp"),
                lineJson(11, 1, "desk")));

        product(7, "floor lamp");
        assertThat(cache.entries).as("a change two levels down").containsEntry("order:1",
                order(1, "open", lineJson(10, 2, "floor lamp"), lineJson(11, 1, "desk")));

        line(11, 1, 7, 3);
        assertThat(cache.entries).as("a line pointing at another product").containsEntry("order:1",
                order(1, "open", lineJson(10, 2, "floor lamp"), lineJson(11, 3, "floor lamp")));
        product(8, "table");
        assertThat(cache.entries).as("the product it left").containsEntry("order:1",
                order(1, "open", lineJson(10, 2, "floor lamp"), lineJson(11, 3, "floor lamp")));

        line(11, 1, null, 3);
        line(12, 1, 9, 1);
        assertThat(cache.entries).as("no product, and one not there (yet)").containsEntry("order:1",
                order(1, "open", lineJson(10, 2, "floor lamp"), lineJson(11, 3, null), lineJson(12, 1, null)));
        product(9, "chair");
        assertThat(cache.entries).containsEntry("order:1",
                order(1, "open", lineJson(10, 2, "floor lamp"), lineJson(11, 3, null), lineJson(12, 1, "chair")));

        change("products", 7, "d", null);
        change("order_lines", 11, "d", null);
        change("orders", 2, "u", "{\"id\":2,\"status\":\"new\"}");
        line(12, 2, 9, 1);
        assertThat(cache.entries).as("a product deleted, a line deleted, a line moved to another order")
                .containsEntry("order:1", order(1, "open", lineJson(10, 2, null)))
                .containsEntry("order:2", order(2, "new", lineJson(12, 1, "chair")));

        change("orders", 1, "d", null);
        assertThat(cache.entries).doesNotContainKey("order:1");
    }

    @Test
    void shouldNeverShowALineWithTheProductItLeft() {
        product(7, "lamp");
        product(8, "desk");
        change("orders", 1, "u", "{\"id\":1,\"status\":\"open\"}");
        line(10, 1, 7, 2);
        int before = cache.applied.size();

        line(10, 1, 8, 2);

        List<String> written = cache.applied.subList(before, cache.applied.size()).stream()
                .filter(w -> w instanceof CacheWrite.Put).map(w -> ((CacheWrite.Put) w).value()).toList();
        assertThat(written).containsExactly(order(1, "open", lineJson(10, 2, "desk")));
    }

    @Test
    void shouldWriteNothingOfAReplayedNestedJoinUntilItsHistoryIsReadAndThenEachValueOnce() {
        History history = new History(Map.of(new TopicPartition("shop.public.orders", 0), 1L,
                new TopicPartition("shop.public.order_lines", 0), 2L, new TopicPartition("shop.public.products", 0), 2L),
                Map.of());
        start(history);
        change("orders", 1, "u", "{\"id\":1,\"status\":\"open\"}");
        line(10, 1, 7, 2);
        product(7, "lamp");
        product(7, "floor lamp");
        line(10, 1, 7, 5);
        join.advance(Duration.ofSeconds(1));
        assertThat(cache.applied.stream().filter(w -> w instanceof CacheWrite.Put).toList())
                .as("held: no value while the history is read").isEmpty();

        history.release();
        join.advance(Duration.ofSeconds(1));

        assertThat(cache.applied.stream().filter(w -> w.key().equals("order:1") && w instanceof CacheWrite.Put)
                .map(w -> ((CacheWrite.Put) w).value())).containsExactly(order(1, "open", lineJson(10, 5, "floor lamp")));
        assertThat(history.assembled(config)).isTrue();
    }

    @Test
    void shouldPassTheNestedTopicsInTheirOrder() {
        assertThat(WarmerTopology.joinRouteTiers(config)).containsExactly(
                List.of("shop.lookup.nested-test.order.0.0"),
                List.of("shop.join.nested-test.order.0.0"),
                List.of("shop.nested.nested-test.order.0"),
                List.of("shop.join.nested-test.order.0"));
    }
}
