package io.warmer.capture.snapshot;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.TableId;
import io.warmer.change.Version;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where one table's snapshot stands, as stored on {@code <prefix>.snapshots} (compacted, keyed by the table): the
 * capture resumes a snapshot from here after a crash, {@code warmer status} shows it, and {@code warmer snapshot}
 * requests a new one by writing a {@link State#REQUESTED} record.
 *
 * @param snapshot      this snapshot's id; a new snapshot of the table gets a new one
 * @param startVersion  below the version of every value written for a row of the table since the snapshot began:
 *                      once it is complete, a key of the table's families holding an older version belongs to no
 *                      row (see docs/design.md, "Orphans"); null until the first chunk
 * @param cursor        the primary key of the last row read, as PostgreSQL writes each column's text; null before
 *                      the first chunk
 * @param rows          rows written to the change topic by this snapshot so far
 * @param chunks        chunks read so far
 * @param orphans       once {@link State#SWEPT}: keys removed per family because no row accounts for them
 * @param updatedAtMs   when this record was written
 * @param columns       the table's columns and their types when the snapshot was read: a table whose columns differ
 *                      at the next start is snapshotted anew; {@code reads}, the columns its families read then, is
 *                      kept for the record (a family whose columns changed asks for a snapshot itself)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotProgress(String table, String snapshot, State state, Version startVersion, List<String> cursor,
                               long rows, long chunks, Map<String, Long> orphans, long updatedAtMs,
                               Map<String, String> columns, List<String> reads) {

    public SnapshotProgress(String table, String snapshot, State state, Version startVersion, List<String> cursor,
                            long rows, long chunks, Map<String, Long> orphans, long updatedAtMs) {
        this(table, snapshot, state, startVersion, cursor, rows, chunks, orphans, updatedAtMs, null, null);
    }

    /** Where a table's snapshot is in its life; in this order. */
    public enum State {
        /** Asked for (by {@code warmer snapshot}, a truncate, or a new table); the capture starts it. */
        REQUESTED("requested"),
        /** Chunks are being read; resumed from {@link #cursor()} after a restart. */
        RUNNING("running"),
        /** Every row was read; keys of no row are still to be swept. */
        COMPLETE("complete"),
        /** Complete, and the keys no row accounts for were removed. */
        SWEPT("swept");

        private final String wire;

        State(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        @JsonCreator
        public static State of(String wire) {
            for (State state : values()) {
                if (state.wire.equals(wire)) {
                    return state;
                }
            }
            throw new IllegalArgumentException("unknown snapshot state '" + wire + "'");
        }

        /** Complete or swept: every row of the table has been read. */
        public boolean done() {
            return this == COMPLETE || this == SWEPT;
        }
    }

    public SnapshotProgress {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(state, "state");
        cursor = cursor == null ? null : List.copyOf(cursor);
        orphans = orphans == null ? null : Map.copyOf(orphans);
        columns = columns == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
        reads = reads == null ? null : List.copyOf(reads);
    }

    public TableId tableId() {
        return TableId.parse(table);
    }

    public String toJson() {
        try {
            return RowChangeCodec.json().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the snapshot progress of " + table, e);
        }
    }

    /** @throws IllegalArgumentException when the text is not a progress record */
    public static SnapshotProgress fromJson(String json) {
        try {
            return RowChangeCodec.json().readValue(json, SnapshotProgress.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a snapshot progress record: " + e.getOriginalMessage(), e);
        }
    }

    /** A request for a new snapshot of {@code table}. */
    public static SnapshotProgress request(TableId table, String snapshot, long nowMs) {
        return new SnapshotProgress(table.qualified(), snapshot, State.REQUESTED, null, null, 0, 0, null, nowMs);
    }
}
