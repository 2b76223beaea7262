package io.warmer.topology;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.RowChange;
import io.warmer.change.TableId;
import io.warmer.family.CacheWrite;
import io.warmer.family.Join;
import io.warmer.family.KeyFamily;
import java.util.List;
import java.util.Set;

/**
 * What {@link JoinedRows} turns an assembled row into: a family's cache writes, or (a join's own joins) the joined
 * table's rows with their joined rows folded in, for the level above ({@link NestedRows}).
 *
 * @param <W> what a row becomes
 */
interface Assembly<W> {

    /** The name the family's counters and dead letters go under. */
    String family();

    /** The table whose rows are assembled. */
    TableId table();

    List<Join> joins();

    /** What a row becomes, and the keys it now has (to delete when a later change renders others). */
    record Rendering<W>(List<W> writes, Set<String> currentKeys) {
    }

    /**
     * The assembled row, or a delete ({@code change} of {@link io.warmer.change.Operation#DELETE}).
     *
     * @throws io.warmer.family.ChangedColumnsException when a column it reads is gone or retyped
     */
    Rendering<W> render(String key, ObjectNode primaryKey, RowChange change, Set<String> previousKeys, long nowMs);

    /** The row exists but cannot be shown as it is now (a value unknown, a joined row not in yet): absent, not wrong. */
    List<W> withhold(String key, ObjectNode primaryKey, RowChange change, Set<String> previousKeys, long nowMs);

    /** Whether the row's value shows this column of the table (so that not knowing it withholds the row). */
    boolean reads(String column);

    /** A family's: its entries in the cache. */
    static Assembly<CacheWrite> of(KeyFamily family) {
        return new Assembly<>() {
            @Override
            public String family() {
                return family.name();
            }

            @Override
            public TableId table() {
                return family.table();
            }

            @Override
            public List<Join> joins() {
                return family.joins();
            }

            @Override
            public Rendering<CacheWrite> render(String key, ObjectNode primaryKey, RowChange change,
                                                Set<String> previousKeys, long nowMs) {
                KeyFamily.Mapping mapping = family.map(primaryKey, change, previousKeys, nowMs);
                return new Rendering<>(mapping.writes(), mapping.currentKeys());
            }

            @Override
            public List<CacheWrite> withhold(String key, ObjectNode primaryKey, RowChange change,
                                             Set<String> previousKeys, long nowMs) {
                return family.deletesOf(primaryKey, change, previousKeys, nowMs);
            }

            @Override
            public boolean reads(String column) {
                return family.reads(column);
            }
        };
    }
}
