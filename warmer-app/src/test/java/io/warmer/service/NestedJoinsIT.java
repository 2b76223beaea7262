package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.WarmerConfig;
import io.warmer.testing.ExampleUnderLoad;
import io.warmer.testing.FullVerify;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import io.warmer.testkit.CacheAudit;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/nested-joins.yml on real servers: orders with their lines and each line's product, and customers with
 * their orders and each order's lines, stay exact while every level changes (the shop inserts, changes, re-keys and
 * deletes orders and customers; the test changes, inserts, moves and deletes lines, points them at other products or
 * at none, renames and re-prices products and deletes some), across SIGKILLs during the snapshot and while streaming. What each key must
 * hold is PostgreSQL's own join; verify --full agrees.
 */
@ExtendWith(WarmerInfrastructure.class)
class NestedJoinsIT {

    private static final int CUSTOMERS = 1_000;
    private static final int PRODUCTS = 300;
    private static final Path EXAMPLE = Path.of("..", "examples", "nested-joins.yml");
    private static final List<String> SETUP = List.of(
            "CREATE TABLE products (id serial PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL)",
            "CREATE TABLE order_lines (id serial PRIMARY KEY, order_id int NOT NULL REFERENCES orders(id)"
                    + " ON DELETE CASCADE ON UPDATE CASCADE, product_id int REFERENCES products(id) ON DELETE SET NULL,"
                    + " quantity int NOT NULL)",
            "CREATE INDEX ON order_lines (order_id)",
            "INSERT INTO products (name, price) SELECT 'product ' || i, (i % 50) + 0.50 FROM generate_series(1, "
                    + PRODUCTS + ") i",
            // Two lines per order, one of every tenth without a product.
            "INSERT INTO order_lines (order_id, product_id, quantity) SELECT o.id, CASE WHEN o.id % 10 = 0 AND n = 2"
                    + " THEN NULL ELSE 1 + (o.id * n) % " + PRODUCTS + " END, n FROM orders o, generate_series(1, 2) n");

    private static CacheAudit.Expectation expectation(String prefix) {
        String linesOf = "SELECT json_agg(json_build_object(%s) ORDER BY l.id) FROM order_lines l WHERE l.order_id = o.id";
        return new CacheAudit.Expectation(List.of(
                new CacheAudit.Query("orders", "SELECT o.id, json_build_object('id', o.id, 'status', o.status, 'lines',"
                        + " COALESCE((" + linesOf.formatted("'id', l.id, 'quantity', l.quantity, 'product', (SELECT"
                        + " json_build_object('name', p.name, 'price', p.price) FROM products p WHERE p.id ="
                        + " l.product_id)") + "), '[]'::json))::text FROM orders o",
                        List.of(prefix + ":v2:order:%d:lines")),
                new CacheAudit.Query("customers", "SELECT c.id, json_build_object('id', c.id, 'name', c.name, 'orders',"
                        + " COALESCE((SELECT json_agg(json_build_object('id', o.id, 'total', o.total, 'lines', COALESCE(("
                        + linesOf.formatted("'product_id', l.product_id, 'quantity', l.quantity") + "), '[]'::json))"
                        + " ORDER BY o.id) FROM orders o WHERE o.customer_id = c.id), '[]'::json))::text FROM customers c",
                        List.of(prefix + ":v2:customer:%d:orders-with-lines"))),
                List.of(new CacheAudit.KeySpace(prefix + ":v2:order:", "orders"),
                        new CacheAudit.KeySpace(prefix + ":v2:customer:", "customers")));
    }

    @Test
    void shouldKeepEveryLevelOfTheJoinsExactWhileEachChangesAndThroughASigkill(TestInfra infra, @TempDir Path dir)
            throws Exception {
        String prefix = infra.uniqueName("nested");
        ExampleUnderLoad.run(infra, dir, CUSTOMERS, SETUP, ExampleUnderLoad.families(EXAMPLE, prefix),
                prefix + ":v2:*", expectation(prefix), NestedJoinsIT::moveRows, (redis, db, yaml) -> {
                    WarmerConfig config = TestConfigs.parse(yaml);
                    assertThat(FullVerify.assertNoDrift(config, db).drifted()).isFalse();
                    FullVerify.assertEstimateFindsEveryEntry(config);
                });
    }

    /** Every level: lines changed, added, moved to other orders and products, deleted; products changed, deleted. */
    private static void moveRows(Connection c) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int line = 1 + random.nextInt(6 * CUSTOMERS);
        String product = random.nextInt(10) == 0 ? "NULL" : Integer.toString(1 + random.nextInt(PRODUCTS + 20));
        String anOrder = "(SELECT id FROM orders WHERE id >= " + (1 + random.nextInt(3 * CUSTOMERS))
                + " ORDER BY id LIMIT 1)";
        try (Statement st = c.createStatement()) {
            switch (random.nextInt(7)) {
                case 0 -> st.executeUpdate("UPDATE order_lines SET quantity = quantity + 1 WHERE id = " + line);
                case 1 -> st.executeUpdate("UPDATE order_lines SET product_id = (SELECT id FROM products WHERE id = "
                        + product + ") WHERE id = " + line);
                case 2 -> st.executeUpdate("UPDATE order_lines SET order_id = " + anOrder + " WHERE id = " + line
                        + " AND EXISTS " + anOrder);
                case 3 -> st.executeUpdate("INSERT INTO order_lines (order_id, product_id, quantity) SELECT id,"
                        + " (SELECT id FROM products WHERE id = " + product + "), 1 FROM orders WHERE id = " + anOrder);
                case 4 -> st.executeUpdate("DELETE FROM order_lines WHERE id = " + line);
                case 5 -> st.executeUpdate("UPDATE products SET name = 'renamed " + random.nextInt(1000)
                        + "', price = price + 1 WHERE id = " + (1 + random.nextInt(PRODUCTS)));
                default -> {
                    if (random.nextInt(4) == 0) {
                        st.executeUpdate("DELETE FROM products WHERE id = " + (1 + random.nextInt(PRODUCTS)));
                    } else {
                        st.executeUpdate("INSERT INTO products (name, price) VALUES ('new', 1.25)");
                    }
                }
            }
        }
    }
}
