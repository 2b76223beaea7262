package io.warmer.capture.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.RowChangeCodec;

import io.warmer.change.TableId;
import io.warmer.change.Version;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The stream's side of the snapshot, shared by the capture thread (which reports what the stream delivers) and the
 * chunk readers. A chunk is read between a window's opening and its marker, and is placed into the stream where the
 * stream delivers the marker:
 *
 * <ol>
 *   <li>A reader opens a window for its table, then reads the chunk under an MVCC snapshot, then writes the
 *       chunk's marker (a logical decoding message) into the WAL.</li>
 *   <li>Every transaction the snapshot sees committed before the marker was written, so the stream delivers it
 *       before the marker. Every transaction it does not see, but that the stream delivers before the marker,
 *       commits after the window opened (or the snapshot is refused, {@link #missesDelivered}), so its rows were
 *       delivered inside the window: {@link Window#touched} has their keys.</li>
 *   <li>At the marker, the chunk's rows minus the touched ones are exactly the table's rows as of that point of the
 *       stream: they get the marker's version and are written before anything the stream delivers after it.</li>
 * </ol>
 *
 * The argument in full is in docs/design.md, "Snapshots".
 */
final class ChunkWindows {

    /** How long the capture thread waits, at a marker, for its reader to hand the chunk over (it is committing). */
    static final Duration HANDOVER_TIMEOUT = Duration.ofSeconds(30);

    private final String runId;
    private final Map<Long, Window> open = new HashMap<>();
    /** Transactions the stream delivered that no snapshot has shown visible yet (32-bit ids). */
    private final Set<Long> unconfirmed = new HashSet<>();
    private long lastTransaction = -1;
    /** The last (so the highest) version the stream delivered: of a change, or {@code lsn.0} of a message. */
    private long lastPosition = -1;
    private long lastLsn;
    private long nextWindow;

    /** @param runId distinguishes this process's markers from those of an earlier run still in the WAL */
    ChunkWindows(String runId) {
        this.runId = runId;
    }

    /** A chunk being read, from before its snapshot until the stream delivers its marker. */
    static final class Window {
        final long id;
        final TableId table;
        /** The snapshot the chunk belongs to: a chunk of a superseded snapshot is not written. */
        final String snapshot;
        /** The primary key after which the chunk is read (null: from the first row). */
        final List<String> after;
        /**
         * Just above the last version the stream delivered before the window opened: everything the stream delivers
         * later, and the chunks read later, have a version at or above it; everything before, below.
         */
        final Version openedAt;
        final Set<Long> unconfirmedAtOpening;
        /** Keys of the table the stream delivered since the window opened. */
        final Set<String> touched = new HashSet<>();
        /**
         * Of the touched keys, those whose latest change in the window is not a delete: the row as far as the window's
         * changes tell, and the columns still unknown because PostgreSQL did not send them (unchanged TOASTed values).
         * The chunk's read completes those (see {@link #asOfMarker}).
         */
        final Map<String, Incomplete> incomplete = new HashMap<>();
        boolean truncated;
        final CompletableFuture<ChunkReader.ReadChunk> read = new CompletableFuture<>();
        /** Completed once the chunk's rows are in Kafka, or exceptionally when they were not written. */
        final CompletableFuture<Long> written = new CompletableFuture<>();

        private Window(long id, TableId table, String snapshot, List<String> after, Version openedAt,
                       Set<Long> unconfirmedAtOpening) {
            this.id = id;
            this.table = table;
            this.snapshot = snapshot;
            this.after = after == null ? null : List.copyOf(after);
            this.openedAt = openedAt;
            this.unconfirmedAtOpening = unconfirmedAtOpening;
        }
    }

    /** A row the window's changes tell only partly: {@code row} holds null for each column in {@code unknown}. */
    record Incomplete(ObjectNode row, Set<String> unknown) {
    }

    /**
     * A touched row as of the window's marker, when its latest change in the window lacks unsent values: that change,
     * with each unsent value taken from the chunk's read. This is right whatever the order of read and changes:
     * PostgreSQL sends a TOASTed value with every change that sets it, so a column unknown here was not set by any
     * change in the window, and holds at the marker what the read saw. Null when the window's changes tell the row
     * whole (or deleted it): the stream's own changes are then its latest records.
     */
    static ObjectNode asOfMarker(Window window, String key, ObjectNode read) {
        Incomplete incomplete = window.incomplete.get(key);
        if (incomplete == null || incomplete.unknown().isEmpty()) {
            return null;
        }
        ObjectNode row = incomplete.row().deepCopy();
        for (String column : incomplete.unknown()) {
            if (!read.has(column)) {
                return null; // the columns changed under the window; the table is snapshotted again anyway
            }
            row.set(column, read.get(column));
        }
        return row;
    }

    /** Opens a window for the chunk of {@code table} read after {@code after} (null: its first chunk). */
    synchronized Window open(TableId table, String snapshot, List<String> after) {
        Window window = new Window(nextWindow++, table, snapshot, after,
                Version.of(Math.max(0, lastPosition), lastLsn + 1), Set.copyOf(unconfirmed));
        open.put(window.id, window);
        return window;
    }

    /** The content of the window's marker message. */
    String markerOf(Window window) {
        return "chunk:" + runId + ":" + window.id;
    }

    /**
     * Whether a snapshot misses a transaction the stream delivered before the window opened: one that committed
     * (its commit record is in the WAL, so logical decoding sent it) but that PostgreSQL does not show as finished
     * yet, e.g. while it waits for a synchronous standby. Such a chunk would hold rows older than changes already
     * written; it is read again instead.
     */
    boolean missesDelivered(Window window, TransactionSnapshot snapshot) {
        for (long xid : window.unconfirmedAtOpening) {
            if (!snapshot.sees(xid)) {
                return true;
            }
        }
        return false;
    }

    /** Forgets the delivered transactions {@code snapshot} sees: every later snapshot sees them too. */
    synchronized void confirm(TransactionSnapshot snapshot) {
        unconfirmed.removeIf(snapshot::sees);
    }

    synchronized int unconfirmedCount() {
        return unconfirmed.size();
    }

    synchronized void close(Window window) {
        open.remove(window.id);
    }

    /**
     * The stream delivered a change of {@code table}.
     *
     * @param txId its transaction (32-bit), or negative when unknown
     */
    synchronized void changeDelivered(TableId table, String key, long txId, Version version) {
        changeDelivered(table, key, txId, version, null);
    }

    /**
     * @param change the change as the topic carries it ({@link io.warmer.change.RowChange}'s JSON), read only while
     *               a window of the table is open; null when not known
     */
    synchronized void changeDelivered(TableId table, String key, long txId, Version version, String change) {
        if (txId >= 0 && txId != lastTransaction) {
            unconfirmed.add(txId);
            lastTransaction = txId;
        }
        delivered(version);
        JsonNode parsed = null;
        for (Window window : open.values()) {
            if (window.table.equals(table)) {
                window.touched.add(key);
                if (change != null) {
                    parsed = parsed != null ? parsed : parse(change);
                    follow(window, key, parsed);
                }
            }
        }
    }

    /**
     * Keeps what the window's changes tell of a row whose values PostgreSQL did not all send. {@code change} is shared
     * by every open window of the table (two chunks of one table can be open at once), so it is never modified.
     */
    private static void follow(Window window, String key, JsonNode change) {
        JsonNode row = change.get("row");
        if (row == null || !row.isObject()) {
            window.incomplete.remove(key); // a delete: the stream's change is the latest record
            return;
        }
        Incomplete before = window.incomplete.get(key);
        Set<String> unknown = new HashSet<>();
        change.path("unavailable").forEach(c -> unknown.add(c.asText()));
        ObjectNode known = (ObjectNode) row;
        if (before != null) {
            for (String column : Set.copyOf(unknown)) {
                if (!before.unknown().contains(column) && before.row().has(column)) {
                    known = known == row ? known.deepCopy() : known;
                    known.set(column, before.row().get(column)); // sent by an earlier change in the window
                    unknown.remove(column);
                }
            }
        }
        window.incomplete.put(key, new Incomplete(known, unknown));
    }

    private static JsonNode parse(String change) {
        try {
            return RowChangeCodec.json().readTree(change);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the capture wrote a change that is not JSON: " + change, e);
        }
    }

    /** The stream delivered a truncate of {@code table} at {@code version}: no open chunk of it holds current rows. */
    synchronized void truncated(TableId table, Version version) {
        delivered(version);
        for (Window window : open.values()) {
            if (window.table.equals(table)) {
                window.truncated = true;
            }
        }
    }

    /** The stream delivered a logical decoding message at {@code lsn}: everything after it is above {@code lsn.0}. */
    synchronized void advancedTo(long lsn) {
        delivered(Version.snapshot(lsn));
    }

    private void delivered(Version version) {
        long position = version.position();
        long lsn = version.lsn();
        if (position > lastPosition || (position == lastPosition && lsn > lastLsn)) {
            lastPosition = position;
            lastLsn = lsn;
        }
    }

    /** The stream position of the last thing the stream delivered; -1 before anything. */
    synchronized long position() {
        return lastPosition;
    }

    /**
     * The stream delivered one of our messages at {@code lsn}. When it is the marker of an open window, waits for the
     * window's reader to hand the chunk over, closes the window and returns it; nothing the stream delivers later
     * touches it any more.
     *
     * @return null when the message is not a chunk marker of this run, or the reader failed
     */
    Window markerDelivered(String content, long lsn) throws InterruptedException {
        List<String> parts = List.of(content.split(":", -1));
        Window window;
        synchronized (this) {
            delivered(Version.snapshot(lsn));
            if (parts.size() != 3 || !"chunk".equals(parts.get(0)) || !runId.equals(parts.get(1))) {
                return null;
            }
            window = open.get(Long.parseLong(parts.get(2)));
        }
        if (window == null) {
            return null;
        }
        try {
            window.read.get(HANDOVER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            close(window);
            window.written.completeExceptionally(e);
            return null;
        }
        close(window);
        return window;
    }

    /** Whether {@code content} is a message of this run that only marks the stream live (see {@link #probe}). */
    boolean isProbe(String content) {
        return content.equals("probe:" + runId);
    }

    /** The content of a message that, once delivered, shows the stream is live. */
    String probe() {
        return "probe:" + runId;
    }
}
