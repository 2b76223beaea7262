package io.warmer.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shop's application writing, on a connection of its own, at a given rate: updates, inserts and deletes on both
 * tables (deleting a customer deletes its orders), some touching both in one transaction, and orders that take a new
 * primary key.
 */
public final class ShopWrites implements AutoCloseable {

    private final Callable<Connection> connect;
    private final int perSecond;
    private final AtomicLong transactions = new AtomicLong();
    private volatile boolean running;
    private volatile Throwable failure;
    private Thread thread;

    /** @param connect opens the connection the writes go through */
    public ShopWrites(Callable<Connection> connect, int perSecond) {
        this.connect = connect;
        this.perSecond = perSecond;
    }

    public void start() {
        running = true;
        thread = new Thread(this::write, "shop-writes");
        thread.setDaemon(true);
        thread.start();
    }

    public long transactions() {
        return transactions.get();
    }

    /** Stops after the current transaction; throws when a write failed. */
    public void stop() throws InterruptedException {
        close();
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

    private void write() {
        try (Connection connection = connect.call()) {
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
                } else if (kind < 97) {
                    update(connection, "UPDATE customers SET email = NULL WHERE id = ?", customer);
                } else {
                    // A new primary key: Debezium sends a delete of the old row and a create of the new one, both at
                    // the transaction's position (the delete's version must still order before the create's).
                    orders += update(connection, "UPDATE orders SET id = nextval('orders_id_seq') WHERE id = ?", order);
                }
                connection.commit();
                long done = transactions.incrementAndGet();
                long wait = started + 1_000_000_000L * done / perSecond - System.nanoTime();
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
