package io.warmer.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's own traffic during the warm-up: inserts, updates and deletes, one small
 * transaction at a time. Before each transaction it records the WAL insert position, so that after
 * {@link #pause()} the demo knows a position every change of the workload is above.
 */
final class DemoWorkload implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoWorkload.class);
    private static final long PAUSE_BETWEEN_TRANSACTIONS_MS = 5;

    private final Connection connection;
    private final AtomicLong nextId;
    private final AtomicLong transactions = new AtomicLong();
    private final Set<Long> deleted = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile long lastPositionBefore;
    private Thread thread;

    DemoWorkload(Connection connection, long firstNewId) {
        this.connection = connection;
        this.nextId = new AtomicLong(firstNewId);
    }

    /** Starts writing, or writing again after {@link #pause()}. */
    void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this, "demo-workload");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        try {
            connection.setAutoCommit(false);
            while (running) {
                lastPositionBefore = walInsertPosition();
                applyOneChange();
                connection.commit();
                transactions.incrementAndGet();
                Thread.sleep(PAUSE_BETWEEN_TRANSACTIONS_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            LOG.warn("The demo workload stopped: {}", e.getMessage(), e);
        }
    }

    /**
     * Stops after the current transaction, then makes one last change that is sure to reach the capture (an insert;
     * an update or delete of a deleted user changes nothing, and a position no change follows is never passed).
     *
     * @return a WAL position below every change made and below that last one
     */
    long pause() throws InterruptedException, SQLException {
        if (stop()) {
            lastPositionBefore = walInsertPosition();
            insertUser(nextId.getAndIncrement());
            connection.commit();
            transactions.incrementAndGet();
        }
        return lastPositionBefore;
    }

    /** Stops after the current transaction; returns whether it was running. */
    boolean stop() throws InterruptedException {
        running = false;
        if (thread == null) {
            return false;
        }
        thread.join();
        thread = null;
        return true;
    }

    long transactions() {
        return transactions.get();
    }

    Set<Long> deletedIds() {
        return deleted;
    }

    private void applyOneChange() throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int dice = random.nextInt(10);
        long maxId = nextId.get() - 1;
        long id = 1 + random.nextLong(maxId);
        if (dice < 6) {
            update("UPDATE users SET name = ?, tier = ?, updated_at = now() WHERE id = ?",
                    "user " + id + " renamed " + random.nextInt(1000), random.nextBoolean() ? "pro" : "team", id);
            update("UPDATE user_settings SET timezone = ?, newsletter = ? WHERE user_id = ?",
                    random.nextBoolean() ? "UTC" : "America/New_York", random.nextBoolean(), id);
        } else if (dice < 8) {
            insertUser(nextId.getAndIncrement());
        } else if (dice < 9) {
            update("UPDATE user_preferences SET theme = ?, notifications = ? WHERE user_id = ?",
                    random.nextBoolean() ? "light" : "dark", random.nextBoolean(), id);
        } else if (update("DELETE FROM users WHERE id = ?", id) > 0) {
            deleted.add(id);
        }
    }

    private void insertUser(long id) throws SQLException {
        update("INSERT INTO users (id, name, email, tier) VALUES (?, ?, ?, 'free')", id, "user " + id,
                "user" + id + "@example.com");
        update("INSERT INTO user_preferences VALUES (?, 'dark', 'en', true)", id);
        update("INSERT INTO user_settings VALUES (?, 'UTC', false, false)", id);
    }

    private int update(String sql, Object... params) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            return st.executeUpdate();
        }
    }

    private long walInsertPosition() throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
