package io.warmer.capture;

import io.warmer.concurrent.DaemonThreads;
import io.warmer.capture.snapshot.CompletedSnapshot;
import io.warmer.change.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One capture per replication slot, any number of processes: each holds a PostgreSQL advisory lock named after the
 * slot while it captures, and the others stand by, quietly, until the lock and the slot are free (the holder
 * stopped or was killed: PostgreSQL releases its lock with its connection), then take over from the offsets and
 * snapshot progress it stored. The lock decides who may start the engine; the slot being free decides when, so that
 * Debezium never meets a slot another process holds (which it would retry with a stack trace every few seconds).
 */
public final class CaptureElection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureElection.class);

    /** How often a process on standby looks whether it may capture, and a capturing one checks its lock. */
    public static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

    /** Where this process is in the election. */
    public enum Role {
        /** Another process captures (or the slot is still busy); this one takes over when it may. */
        STANDBY("standby"),
        /** This process captures. */
        CAPTURING("capturing"),
        /** Stopped: closed, or the capture failed. */
        STOPPED("stopped");

        private final String label;

        Role(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final CaptureSettings settings;
    private final Map<TableId, Set<String>> requiredColumns;
    private final Consumer<Map<TableId, TableSchema>> schemaCheck;
    private final Consumer<CompletedSnapshot> completed;
    private final ScheduledExecutorService loop;
    private final CompletableFuture<Void> failure = new CompletableFuture<>();
    private Connection lockConnection;
    private boolean locked;
    private volatile PostgresCapture capture;
    private volatile Role role = Role.STANDBY;
    private volatile String holder = "";
    private volatile boolean closed;

    private CaptureElection(CaptureSettings settings, Map<TableId, Set<String>> requiredColumns,
                            Consumer<Map<TableId, TableSchema>> schemaCheck, Consumer<CompletedSnapshot> completed) {
        this.settings = settings;
        this.requiredColumns = requiredColumns;
        this.schemaCheck = schemaCheck;
        this.completed = completed;
        this.loop = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("warmer-capture-election"));
    }

    /**
     * Checks the database and either captures at once or stands by.
     *
     * @throws CaptureException naming what is wrong and how to fix it, when the configuration cannot work at all
     */
    public static CaptureElection start(CaptureSettings settings, Map<TableId, Set<String>> requiredColumns,
                                        Consumer<Map<TableId, TableSchema>> schemaCheck,
                                        Consumer<CompletedSnapshot> completed) {
        CaptureElection election = new CaptureElection(settings, requiredColumns, schemaCheck, completed);
        // What a person must fix fails now, with its one line, whether this process captures or stands by.
        schemaCheck.accept(PostgresPreflight.check(settings.postgres(), settings.tables(), requiredColumns));
        try {
            election.contend(true);
        } catch (RuntimeException e) {
            election.close();
            throw e;
        }
        if (election.role == Role.STANDBY) {
            LOG.atInfo().addKeyValue("event", "capture_standby").addKeyValue("slot", settings.slotName())
                    .log("Capture on standby: {}. This process materializes meanwhile and captures once that"
                            + " process stops.", election.holder);
        }
        election.loop.scheduleWithFixedDelay(election::tend, POLL_INTERVAL.toMillis(), POLL_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        return election;
    }

    /** The capture while this process captures; null on standby. */
    public PostgresCapture capture() {
        return capture;
    }

    public Role role() {
        return role;
    }

    /** On standby, who holds the slot, e.g. {@code slot warmer held by PID 4711 (10.0.0.7)}; empty otherwise. */
    public String holder() {
        return role == Role.STANDBY ? holder : "";
    }

    /** Completes when the capture of this process stopped on an error. */
    public CompletableFuture<Void> failure() {
        return failure;
    }

    private void tend() {
        if (closed) {
            return;
        }
        try {
            PostgresCapture current = capture;
            if (current == null) {
                contend(false);
                return;
            }
            if (!lockHeld()) {
                LOG.warn("Lost the capture lock of slot {} (the database connection holding it broke); stepping down"
                        + " to standby.", settings.slotName());
                stepDown();
            }
        } catch (RuntimeException e) {
            LOG.warn("The capture election could not look at slot {}: {}", settings.slotName(), e.getMessage());
            closeLockConnection();
        }
    }

    /**
     * Takes the lock if free, then starts the capture if the slot is free.
     *
     * @param first whether this is the start, when the capture's errors propagate to the caller
     */
    private void contend(boolean first) {
        if (!locked) {
            locked = tryLock();
            if (!locked) {
                role = Role.STANDBY;
                holder = describeHolder();
                return;
            }
        }
        String busy = slotHolder();
        if (busy != null) {
            role = Role.STANDBY;
            holder = busy;
            return;
        }
        try {
            PostgresCapture started = PostgresCapture.start(settings, requiredColumns, schemaCheck, completed);
            started.termination().whenComplete((ok, error) -> {
                if (error != null && !closed) {
                    role = Role.STOPPED;
                    failure.complete(null);
                }
            });
            capture = started;
            role = Role.CAPTURING;
            if (!first) {
                LOG.atInfo().addKeyValue("event", "capture_takeover").addKeyValue("slot", settings.slotName())
                        .log("Taking over the capture of slot {}: {} is free.", settings.slotName(), settings.slotName());
            }
        } catch (RuntimeException e) {
            if (first) {
                throw e;
            }
            LOG.warn("Could not take over the capture of slot {}: {}; trying again in {} s.", settings.slotName(),
                    e.getMessage(), POLL_INTERVAL.toSeconds());
        }
    }

    private void stepDown() {
        PostgresCapture current = capture;
        capture = null;
        role = Role.STANDBY;
        locked = false;
        if (current != null) {
            current.close();
        }
    }

    private boolean tryLock() {
        try (PreparedStatement st = lockConnection().prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
            st.setString(1, lockName());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            closeLockConnection();
            throw new CaptureException("PostgreSQL at " + settings.postgres().address()
                    + " could not take the capture lock: " + e.getMessage(), e);
        }
    }

    /** Whether this process still holds its lock: the connection holding it is alive. */
    private boolean lockHeld() {
        if (lockConnection == null) {
            return false;
        }
        try (PreparedStatement st = lockConnection.prepareStatement("SELECT 1")) {
            st.executeQuery().close();
            return true;
        } catch (SQLException e) {
            closeLockConnection();
            // The lock went with the connection; take it again if nobody else has.
            locked = tryLock();
            return locked;
        }
    }

    /** Who holds the slot, or null when it is free. */
    private String slotHolder() {
        try (Connection connection = PostgresPreflight.open(settings.postgres());
             PreparedStatement st = connection.prepareStatement(
                     "SELECT s.active_pid, a.client_addr FROM pg_replication_slots s"
                             + " LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid"
                             + " WHERE s.slot_name = ? AND s.active")) {
            st.setString(1, settings.slotName());
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? describe(rs.getLong(1), rs.getString(2)) : null;
            }
        } catch (SQLException e) {
            throw new CaptureException("PostgreSQL at " + settings.postgres().address()
                    + " could not list its replication slots: " + e.getMessage(), e);
        }
    }

    /** The process holding the lock (or the slot), for the standby's reports. */
    private String describeHolder() {
        String busy = slotHolder();
        if (busy != null) {
            return busy;
        }
        try (PreparedStatement st = lockConnection().prepareStatement(
                "SELECT l.pid, a.client_addr FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
                        + " WHERE l.locktype = 'advisory' AND l.granted AND l.database ="
                        + " (SELECT oid FROM pg_database WHERE datname = current_database())"
                        + " AND l.objsubid = 1 AND (l.classid::bigint << 32 | l.objid::bigint) = hashtextextended(?, 0)")) {
            st.setString(1, lockName());
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? describe(rs.getLong(1), rs.getString(2))
                        : "slot " + settings.slotName() + " is claimed by another process";
            }
        } catch (SQLException e) {
            return "slot " + settings.slotName() + " is claimed by another process";
        }
    }

    private String describe(long pid, String clientAddress) {
        return "slot " + settings.slotName() + " held by PID " + pid + (clientAddress == null ? "" : " (" + clientAddress + ")");
    }

    private String lockName() {
        return "warmer.capture." + settings.postgres().database() + "." + settings.slotName();
    }

    private Connection lockConnection() {
        if (lockConnection == null) {
            lockConnection = PostgresPreflight.open(settings.postgres());
        }
        return lockConnection;
    }

    private void closeLockConnection() {
        if (lockConnection != null) {
            try {
                lockConnection.close();
            } catch (SQLException ignored) {
                // already broken
            }
            lockConnection = null;
        }
        locked = false;
    }

    /** Stops capturing (storing the offsets) and gives up the lock. */
    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        PostgresCapture current = capture;
        capture = null;
        if (current != null) {
            current.close();
        }
        closeLockConnection();
        role = Role.STOPPED;
    }
}
