package io.warmer.topology;

import io.warmer.capture.rows.TableStorage;
import io.warmer.change.TableId;
import io.warmer.family.KeyFamily;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The columns the materializer remembers per row, because PostgreSQL may not send them: a table's TOASTable columns
 * that its families read, unless it has REPLICA IDENTITY FULL (then every update sends the old row whole). An update
 * that leaves such a value out gets it from here; without it, the family's keys of that row are deleted rather than
 * written without it.
 *
 * @param columns per table, the columns to remember ({@link #EVERY_COLUMN}: every column the row carries); a table not
 *                here remembers nothing
 */
public record ColumnMemory(Map<TableId, Set<String>> columns) {

    public static final ColumnMemory NONE = new ColumnMemory(Map.of());

    /** In place of column names: every column a row carries, for a family whose value is the whole row. */
    public static final String EVERY_COLUMN = "*";

    public ColumnMemory {
        columns = Map.copyOf(columns);
    }

    /** For the families of each table (joined families keep their rows in their own stores). */
    public static ColumnMemory of(List<KeyFamily> families, Map<TableId, TableStorage> storage) {
        Map<TableId, Set<String>> columns = new LinkedHashMap<>();
        for (KeyFamily family : families) {
            TableStorage table = storage.get(family.table());
            if (!family.joins().isEmpty() || table == null || table.fullReplicaIdentity() || table.toastable().isEmpty()) {
                continue;
            }
            Set<String> remembered = columns.computeIfAbsent(family.table(), t -> new LinkedHashSet<>());
            for (String column : table.toastable()) {
                if (family.reads(column)) {
                    remembered.add(column);
                }
            }
        }
        columns.values().removeIf(Set::isEmpty);
        return new ColumnMemory(columns);
    }

    /**
     * Every column the families read, for when no catalog says which may be TOASTed (Debezium topics without a
     * database): a copy of those columns per row in the state store, so that an update that leaves one out is filled
     * in rather than its keys deleted.
     */
    public static ColumnMemory everyReadColumn(List<KeyFamily> families) {
        Map<TableId, Set<String>> columns = new LinkedHashMap<>();
        for (KeyFamily family : families) {
            if (!family.joins().isEmpty()) {
                continue;
            }
            Set<String> remembered = columns.computeIfAbsent(family.table(), t -> new LinkedHashSet<>());
            if (family.value().columns().isEmpty()) {
                remembered.clear();
                remembered.add(EVERY_COLUMN);
            } else if (!remembered.contains(EVERY_COLUMN)) {
                remembered.addAll(family.usedColumns());
            }
        }
        return new ColumnMemory(columns);
    }

    public Set<String> of(TableId table) {
        return columns.getOrDefault(table, Set.of());
    }
}
