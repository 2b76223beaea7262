package io.warmer.capture;

import io.warmer.change.TableId;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.data.Schema;

/**
 * Tells when Debezium hands over a new row schema for a table, which it does from the first change after an ALTER
 * TABLE (and with the first change of each table in a run): the moment to read the table's columns from the catalog
 * again. Also keeps the columns whose type changed while this capture ran, which every later change of the table
 * names ({@code retyped}), so that a family configured for the old type stops writing until Warmer is restarted.
 */
final class SchemaWatch {

    private final Map<TableId, Schema> lastSchema = new ConcurrentHashMap<>();
    private final Map<TableId, Set<String>> retyped = new ConcurrentHashMap<>();

    /** Whether {@code row} is another schema than the last one seen for the table (the first one is). */
    boolean isNew(TableId table, Schema row) {
        Schema last = lastSchema.get(table);
        if (row == null || last == row) {
            return false;
        }
        lastSchema.put(table, row);
        return !row.equals(last); // an equal schema rebuilt, e.g. after a reconnection, is no news
    }

    void retyped(TableId table, Iterable<String> columns) {
        Set<String> set = retyped.computeIfAbsent(table, t -> ConcurrentHashMap.newKeySet());
        columns.forEach(set::add);
    }

    /** The columns of {@code table} whose type changed while this capture ran. */
    Set<String> retyped(TableId table) {
        Set<String> columns = retyped.get(table);
        return columns == null ? Set.of() : new LinkedHashSet<>(columns);
    }
}
