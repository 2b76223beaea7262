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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RowChange(Operation op, Version version, long commitTimeMs, String table, ObjectNode row, ObjectNode before) {

    public RowChange {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(table, "table");
        if (op != Operation.DELETE && row == null) {
            throw new IllegalArgumentException("a " + op + " change must carry the row after the change");
        }
    }

    public boolean isDelete() {
        return op == Operation.DELETE;
    }
}
