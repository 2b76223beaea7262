package io.warmer.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A shop's schema as users have them (serial keys, a foreign key with cascading deletes, numeric money, timestamptz,
 * jsonb, a longer text) and the application's writes to it, for the tests that kill Warmer while it works; with
 * what each family's keys must hold, computed by PostgreSQL's own JSON functions (no Warmer code).
 */
public final class ShopWorkload implements AutoCloseable {

    private final TestDatabase db;
    private final String prefix;
    private final AtomicLong transactions = new AtomicLong();
    private volatile boolean running;
    private Thread thread;
    private volatile Throwable failure;

    public ShopWorkload(TestDatabase db, String prefix) {
        this.db = db;
        this.prefix = prefix;
    }

    /** Creates the tables with {@code customers} customers and three orders each. */
    public void create(int customers) {
        db.execute("""
                CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text, balance numeric(12,2)
                  NOT NULL DEFAULT 0, tier text, prefs jsonb, note text, updated_at timestamptz NOT NULL DEFAULT now())""",
                """
                CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id)
                  ON DELETE CASCADE, total numeric(10,2) NOT NULL, status text NOT NULL,
                  placed_at timestamptz NOT NULL DEFAULT now())""",
                "CREATE INDEX ON orders (customer_id)",
                "INSERT INTO customers (name, email, balance, tier, prefs, note) SELECT 'customer ' || i,"
                        + " 'c' || i || '@example.com', (i % 1000) + 0.25, (ARRAY['free','pro','team'])[1 + i % 3],"
                        + " jsonb_build_object('lang', 'en', 'n', i), repeat(md5(i::text), 8)"
                        + " FROM generate_series(1, " + customers + ") i",
                "INSERT INTO orders (customer_id, total, status) SELECT 1 + (i % " + customers + "), (i % 500) + 0.10,"
                        + " 'open' FROM generate_series(1, " + (3 * customers) + ") i");
    }

    /** The families of the shop, under the test's key prefix (YAML list items indented by two spaces). */
    public String families() {
        return """
                  - name: customer
                    table: customers
                    key: ["%1$s:v2:customer:${id}", "%1$s:customer:${id}"]
                    ttl: 1h
                  - name: customer-orders
                    table: customers
                    key: "%1$s:v2:customer:${id}:orders"
                    columns: [id, name]
                    join:
                      - {table: orders, on: {customer_id: id}, as: orders, columns: [id, total, status], many: true}
                  - name: order
                    table: orders
                    key: "%1$s:v2:order:${id}"
                """.formatted(prefix);
    }

    /** Where the families' keys are, for extra keys. */
    public List<String> patterns() {
        return List.of(prefix + ":v2:customer:*", prefix + ":customer:*", prefix + ":v2:order:*");
    }

    /** Every key the families must hold now, with its value, from the database. */
    public Map<String, String> expected() throws SQLException {
        Map<String, String> expected = new HashMap<>();
        try (Connection connection = db.connect(); Statement st = connection.createStatement()) {
            try (var rs = st.executeQuery("SELECT id, to_jsonb(c)::text FROM customers c")) {
                while (rs.next()) {
                    expected.put(prefix + ":v2:customer:" + rs.getLong(1), rs.getString(2));
                    expected.put(prefix + ":customer:" + rs.getLong(1), rs.getString(2));
                }
            }
            try (var rs = st.executeQuery("SELECT c.id, json_build_object('id', c.id, 'name', c.name, 'orders',"
                    + " COALESCE((SELECT json_agg(json_build_object('id', o.id, 'total', o.total, 'status', o.status)"
                    + " ORDER BY o.id) FROM orders o WHERE o.customer_id = c.id), '[]'::json))::text FROM customers c")) {
                while (rs.next()) {
                    expected.put(prefix + ":v2:customer:" + rs.getLong(1) + ":orders", rs.getString(2));
                }
            }
            try (var rs = st.executeQuery("SELECT id, to_jsonb(o)::text FROM orders o")) {
                while (rs.next()) {
                    expected.put(prefix + ":v2:order:" + rs.getLong(1), rs.getString(2));
                }
            }
        }
        return expected;
    }

    /** Starts writing: updates, inserts and deletes on both tables, some in one transaction, ~150/s. */
    public void start() {
        running = true;
        thread = new Thread(this::write, "shop-workload");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops after the current transaction. */
    public void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join();
        }
        if (failure != null) {
            throw new IllegalStateException("the workload failed: " + failure.getMessage(), failure);
        }
    }

    public long transactions() {
        return transactions.get();
    }

    private void write() {
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (running) {
                long customers = maxId(connection, "customers");
                long orders = maxId(connection, "orders");
                int kind = random.nextInt(100);
                long customer = 1 + random.nextLong(customers);
                long order = 1 + random.nextLong(Math.max(1, orders));
                if (kind < 35) {
                    update(connection, "UPDATE customers SET balance = balance + ?, updated_at = now(),"
                            + " prefs = jsonb_set(coalesce(prefs, '{}'), '{n}', to_jsonb(?::int)) WHERE id = ?",
                            random.nextInt(-500, 500) / 100.0, random.nextInt(1000), customer);
                } else if (kind < 50) {
                    update(connection, "INSERT INTO orders (customer_id, total, status) SELECT id, ?, 'open'"
                            + " FROM customers WHERE id = ?", random.nextInt(1, 100_000) / 100.0, customer);
                } else if (kind < 65) {
                    update(connection, "UPDATE orders SET total = total + 1, status = ? WHERE id = ?",
                            random.nextBoolean() ? "paid" : "shipped", order);
                } else if (kind < 75) {
                    update(connection, "DELETE FROM orders WHERE id = ?", order);
                } else if (kind < 82) {
                    update(connection, "INSERT INTO customers (name, email, balance, prefs, note) VALUES"
                            + " ('new ' || ?, NULL, 0.50, '{\"lang\": \"de\"}', repeat('x', ?))", customers + 1,
                            random.nextInt(10, 900));
                } else if (kind < 87) {
                    update(connection, "DELETE FROM customers WHERE id = ?", customer);
                } else if (kind < 94) {
                    update(connection, "UPDATE customers SET name = name || '.', tier = ? WHERE id = ?", "team", customer);
                    update(connection, "INSERT INTO orders (customer_id, total, status) SELECT id, 9.99, 'open'"
                            + " FROM customers WHERE id = ?", customer);
                } else {
                    update(connection, "UPDATE customers SET email = NULL WHERE id = ?", customer);
                }
                connection.commit();
                transactions.incrementAndGet();
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            failure = e;
        }
    }

    private static long maxId(Connection connection, String table) throws SQLException {
        try (var st = connection.createStatement(); var rs = st.executeQuery("SELECT coalesce(max(id), 1) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void update(Connection connection, String sql, Object... values) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                st.setObject(i + 1, values[i]);
            }
            st.executeUpdate();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join();
        }
    }
}
