package io.warmer.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chaos run's schema, as users have it (serial keys, a foreign key with cascading deletes, numeric money,
 * timestamptz, jsonb, a longer text): {@code customers} and three {@code orders} each, and the application's
 * writes to them on a connection of their own.
 */
final class ShopTables implements AutoCloseable {

    private final BenchServers servers;
    private final AtomicLong transactions = new AtomicLong();
    private volatile boolean running;
    private volatile Throwable failure;
    private Thread thread;

    ShopTables(BenchServers servers) {
        this.servers = servers;
    }

    static void create(BenchServers servers, long customers) throws SQLException {
        try (Statement st = servers.db.createStatement()) {
            st.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text, balance"
                    + " numeric(12,2) NOT NULL DEFAULT 0, tier text, prefs jsonb, note text,"
                    + " updated_at timestamptz NOT NULL DEFAULT now())");
            st.execute("CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id)"
                    + " ON DELETE CASCADE, total numeric(10,2) NOT NULL, status text NOT NULL,"
                    + " placed_at timestamptz NOT NULL DEFAULT now())");
            st.execute("INSERT INTO customers (name, email, balance, tier, prefs, note) SELECT 'customer ' || i,"
                    + " 'c' || i || '@example.com', (i % 1000) + 0.25, (ARRAY['free','pro','team'])[1 + i % 3],"
                    + " jsonb_build_object('lang', 'en', 'n', i), repeat(md5(i::text), 4) FROM generate_series(1, "
                    + customers + ") i");
            st.execute("INSERT INTO orders (customer_id, total, status) SELECT 1 + (i % " + customers + "),"
                    + " (i % 500) + 0.10, 'open' FROM generate_series(1, " + (3 * customers) + ") i");
            st.execute("CREATE INDEX ON orders (customer_id)");
            st.execute("VACUUM (ANALYZE) customers");
            st.execute("VACUUM (ANALYZE) orders");
        }
    }

    /** The families of the shop, as a YAML list indented by two spaces. */
    static String families(String keyPrefix) {
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
                """.formatted(keyPrefix);
    }

    /** Starts writing about {@code perSecond} transactions a second: updates, inserts and deletes on both tables. */
    void start(int perSecond) {
        running = true;
        thread = new Thread(() -> write(perSecond), "shop-writes");
        thread.setDaemon(true);
        thread.start();
    }

    long transactions() {
        return transactions.get();
    }

    void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join();
        }
        if (failure != null) {
            throw new IllegalStateException("the shop's writes failed: " + failure.getMessage(), failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join();
        }
    }

    private void write(int perSecond) {
        var pg = servers.postgres;
        try (Connection connection = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            connection.setAutoCommit(false);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long customers = maxId(connection, "customers");
            long orders = maxId(connection, "orders");
            long started = System.nanoTime();
            while (running) {
                long customer = 1 + random.nextLong(customers);
                long order = 1 + random.nextLong(orders);
                int kind = random.nextInt(100);
                if (kind < 35) {
                    update(connection, "UPDATE customers SET balance = balance + ?, updated_at = now(),"
                            + " prefs = jsonb_set(coalesce(prefs, '{}'), '{n}', to_jsonb(?::int)) WHERE id = ?",
                            random.nextInt(-500, 500) / 100.0, random.nextInt(1000), customer);
                } else if (kind < 50) {
                    orders += update(connection, "INSERT INTO orders (customer_id, total, status) SELECT id, ?, 'open'"
                            + " FROM customers WHERE id = ?", random.nextInt(1, 100_000) / 100.0, customer);
                } else if (kind < 65) {
                    update(connection, "UPDATE orders SET total = total + 1, status = ? WHERE id = ?",
                            random.nextBoolean() ? "paid" : "shipped", order);
                } else if (kind < 75) {
                    update(connection, "DELETE FROM orders WHERE id = ?", order);
                } else if (kind < 82) {
                    customers += update(connection, "INSERT INTO customers (name, balance, prefs, note) VALUES"
                            + " ('new customer', 0.50, '{\"lang\": \"de\"}', repeat('x', ?))", random.nextInt(10, 900));
                } else if (kind < 87) {
                    update(connection, "DELETE FROM customers WHERE id = ?", customer);
                } else if (kind < 94) {
                    update(connection, "UPDATE customers SET name = name || '.', tier = 'team' WHERE id = ?", customer);
                    orders += update(connection, "INSERT INTO orders (customer_id, total, status) SELECT id, 9.99,"
                            + " 'open' FROM customers WHERE id = ?", customer);
                } else {
                    update(connection, "UPDATE customers SET email = NULL WHERE id = ?", customer);
                }
                connection.commit();
                long done = transactions.incrementAndGet();
                long due = started + 1_000_000_000L * done / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
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

    private static int update(Connection connection, String sql, Object... values) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                st.setObject(i + 1, values[i]);
            }
            return st.executeUpdate();
        }
    }
}
