package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.warmer.change.RowChangeCodec;
import io.warmer.config.WarmerConfig;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A one-to-many join on real servers while both sides change at once: Redis ends equal to the database. */
@ExtendWith(WarmerInfrastructure.class)
class JoinIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int CUSTOMERS = 10;

    @Test
    void shouldKeepEveryCustomersOrdersEqualToTheDatabaseWhileBothSidesChange(TestInfra infra) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric(10,2) NOT NULL)",
                "INSERT INTO customers SELECT i, 'customer ' || i FROM generate_series(1, " + CUSTOMERS + ") i",
                "INSERT INTO orders SELECT i, 1 + i % " + CUSTOMERS + ", i * 1.25 FROM generate_series(1, 40) i");
        String p = infra.uniqueName("join");
        WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db, """
                  - name: customer-orders
                    table: customers
                    key: "%s:customer:${id}:orders"
                    columns: [id, name]
                    join:
                      - {table: orders, on: {customer_id: id}, as: orders, columns: [id, total], many: true}
                """.formatted(p)));

        RedisClient client = RedisClient.create(infra.redisUri());
        AtomicBoolean running = new AtomicBoolean(true);
        try (WarmerService warmer = WarmerService.start(config); var connection = client.connect()) {
            var redis = connection.sync();
            await().atMost(WAIT).untilAsserted(() -> assertThat(cached(redis, p)).isEqualTo(expected(db)));

            Thread customersSide = new Thread(() -> keepChanging(db, running, true), "customers");
            Thread ordersSide = new Thread(() -> keepChanging(db, running, false), "orders");
            customersSide.start();
            ordersSide.start();
            Thread.sleep(4_000);
            running.set(false);
            customersSide.join();
            ordersSide.join();

            Map<Long, String> truth = expected(db);
            await().atMost(WAIT).untilAsserted(() -> assertThat(cached(redis, p)).isEqualTo(truth));
            assertThat(warmer.failure()).isNotDone();
        } finally {
            running.set(false);
            client.shutdown();
        }
    }

    private static void keepChanging(TestDatabase db, AtomicBoolean running, boolean customers) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long nextOrder = 1_000 + (customers ? 0 : 1);
        try (Connection connection = db.connect()) {
            while (running.get()) {
                long customer = 1 + random.nextInt(CUSTOMERS);
                if (customers) {
                    exec(connection, "UPDATE customers SET name = 'renamed " + random.nextInt(1000) + "' WHERE id = " + customer);
                } else {
                    long order = 1 + random.nextInt(40);
                    switch (random.nextInt(4)) {
                        case 0 -> exec(connection, "INSERT INTO orders VALUES (" + (nextOrder += 2) + ", " + customer + ", 9.99)");
                        case 1 -> exec(connection, "UPDATE orders SET customer_id = " + customer + " WHERE id = " + order);
                        case 2 -> exec(connection, "UPDATE orders SET total = total + 1 WHERE id = " + order);
                        default -> exec(connection, "DELETE FROM orders WHERE id = " + order);
                    }
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the " + (customers ? "customers" : "orders") + " writer stopped", e);
        }
    }

    private static void exec(Connection connection, String sql) throws Exception {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.executeUpdate();
        }
    }

    private static Map<Long, String> cached(io.lettuce.core.api.sync.RedisCommands<String, String> redis, String p) {
        Map<Long, String> values = new HashMap<>();
        for (long id = 1; id <= CUSTOMERS; id++) {
            values.put(id, redis.get(p + ":customer:" + id + ":orders"));
        }
        return values;
    }

    /** What the cache must hold, computed from the database. */
    private static Map<Long, String> expected(TestDatabase db) throws Exception {
        Map<Long, ObjectNode> customers = new TreeMap<>();
        try (Connection connection = db.connect()) {
            try (ResultSet rs = connection.createStatement().executeQuery("SELECT id, name FROM customers")) {
                while (rs.next()) {
                    ObjectNode customer = JsonNodeFactory.instance.objectNode();
                    customer.put("id", rs.getLong(1));
                    customer.put("name", rs.getString(2));
                    customer.putArray("orders");
                    customers.put(rs.getLong(1), customer);
                }
            }
            try (ResultSet rs = connection.createStatement().executeQuery(
                    "SELECT id, customer_id, total FROM orders WHERE customer_id IS NOT NULL ORDER BY id")) {
                while (rs.next()) {
                    ObjectNode customer = customers.get(rs.getLong(2));
                    if (customer != null) {
                        ((ArrayNode) customer.get("orders")).addObject().put("id", rs.getLong(1)).put("total", rs.getBigDecimal(3));
                    }
                }
            }
        }
        Map<Long, String> values = new HashMap<>();
        customers.forEach((id, customer) -> values.put(id, RowChangeCodec.writeJson(customer)));
        return values;
    }
}
