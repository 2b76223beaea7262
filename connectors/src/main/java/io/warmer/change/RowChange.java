package io.warmer.change;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * The value of a record on a change topic: one row after one change, with what the materializer
 * needs to apply it in order. The record key is the row's primary key as a JSON object.
 *
 * @param op           what happened to the row
 * @param version      where the change stands in the source's commit order: it grows with every change of
 *                     the same row, snapshot rows included, so that a newer write can always be told from an
 *                     older one (see {@link Version})
 * @param commitTimeMs when the source committed the change (epoch milliseconds)
 * @param table        the source table, {@code schema.table}
 * @param row          the row after the change; absent for {@link Operation#DELETE}
 * @param before       the row before the change when the source provides it (all columns with
 *                     REPLICA IDENTITY FULL, only the primary key otherwise); may be absent
 * @param unavailable  columns the source did not send, null in {@code row} (in their place, so that filled in they keep
 *                     the table's column order): unchanged TOASTed values of an update under the default REPLICA
 *                     IDENTITY; empty when there are none
 * @param retyped      columns whose type changed while the capture ran: a family that names one stops writing until
 *                     restarted; empty when there are none
 * @param storedInline true for a snapshot row whose values were all stored inline and uncompressed in the table, as
 *                     read: none is TOASTed out of line, so no update can omit one as unchanged before a change that
 *                     is itself delivered (and carries it whole) moves it out of line. Null when not known (streamed
 *                     changes, rows of other sources).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record RowChange(Operation op, Version version, long commitTimeMs, String table, ObjectNode row, ObjectNode before,
                        java.util.List<String> unavailable, java.util.List<String> retyped, Boolean storedInline) {

    public RowChange(Operation op, Version version, long commitTimeMs, String table, ObjectNode row, ObjectNode before) {
        this(op, version, commitTimeMs, table, row, before, null, null, null);
    }

    public RowChange(Operation op, Version version, long commitTimeMs, String table, ObjectNode row, ObjectNode before,
                     java.util.List<String> unavailable, java.util.List<String> retyped) {
        this(op, version, commitTimeMs, table, row, before, unavailable, retyped, null);
    }

    public RowChange {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(table, "table");
        unavailable = unavailable == null ? java.util.List.of() : java.util.List.copyOf(unavailable);
        retyped = retyped == null ? java.util.List.of() : java.util.List.copyOf(retyped);
        if (op != Operation.DELETE && row == null) {
            throw new IllegalArgumentException("a " + op + " change must carry the row after the change");
        }
    }

    public boolean isDelete() {
        return op == Operation.DELETE;
    }

    /** The same change with another row, e.g. with its unavailable columns filled in. */
    public RowChange withRow(ObjectNode otherRow, java.util.List<String> stillUnavailable) {
        return new RowChange(op, version, commitTimeMs, table, otherRow, before, stillUnavailable, retyped, storedInline);
    }
}
