package io.warmer.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.TableId;
import io.warmer.family.ChangedColumnsException;
import io.warmer.family.Join;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A join with joins of its own (a second level: an order's lines, each with its product): the joined table's rows
 * are assembled with their own joined rows first, like a family's main rows, and each assembled row goes on as a
 * change of the joined table to the level above, through {@code <prefix>.nested.<application-id>.<family>.<n>}.
 * There, the join's route (or a match's) takes these changes instead of the table's own. Versions are the row's own
 * followed by the count of its joined changes applied, so they grow with every change of either level.
 *
 * <p>A row that cannot be shown now (its looked-up row not in yet, a joined value unknown, a column the join reads
 * gone) goes on as <em>withheld</em> ({@link #WITHHELD_HEADER}): the level above keeps the main row's keys deleted
 * until the row comes whole, instead of showing it without its joined rows or with those of before.
 */
final class NestedRows implements Assembly<NestedRows.Change> {

    /** On a nested change whose row the level above must not show yet: why. */
    static final String WITHHELD_HEADER = "warmer-withheld";

    /** One assembled row for the level above, keyed by the joined row's own key. */
    record Change(String key, RowChange change, String withheld) {

        Headers headers() {
            Headers headers = new RecordHeaders();
            if (withheld != null) {
                headers.add(WITHHELD_HEADER, withheld.getBytes(StandardCharsets.UTF_8));
            }
            return headers;
        }

        String value() {
            try {
                return RowChangeCodec.json().writeValueAsString(change);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a nested row", e);
            }
        }
    }

    /** Why a nested change is withheld, or null when it is not. */
    static String withheld(Headers headers) {
        var header = headers.lastHeader(WITHHELD_HEADER);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private final String family;
    private final Join join;

    /** @param join the join of the family whose own joins ({@link Join#joins()}) these rows have */
    NestedRows(String family, Join join) {
        this.family = family;
        this.join = join;
    }

    @Override
    public String family() {
        return family;
    }

    @Override
    public TableId table() {
        return join.table();
    }

    @Override
    public List<Join> joins() {
        return join.joins();
    }

    @Override
    public Rendering<Change> render(String key, ObjectNode primaryKey, RowChange change, Set<String> previousKeys,
                                    long nowMs) {
        if (!change.isDelete()) {
            requireColumns(change);
        }
        return new Rendering<>(List.of(new Change(key, change, null)), Set.of());
    }

    @Override
    public List<Change> withhold(String key, ObjectNode primaryKey, RowChange change, Set<String> previousKeys,
                                 long nowMs) {
        return List.of(new Change(key, new RowChange(Operation.UPDATE, change.version(), change.commitTimeMs(),
                change.table(), change.row() == null ? primaryKey : change.row(), null),
                "a row joined to " + join.table() + " " + key + " is not known yet"));
    }

    @Override
    public boolean reads(String column) {
        return join.columns().isEmpty() || join.columns().contains(column) || join.joinedKeyColumns().contains(column)
                || join.joins().stream().anyMatch(j -> j.mainColumns().contains(column));
    }

    /** The columns the level above and this level's joins read must be in the row, in the type they had. */
    private void requireColumns(RowChange change) {
        List<String> named = new ArrayList<>(join.joinedKeyColumns());
        join.columns().stream().filter(c -> !join.nestedFields().contains(c)).forEach(named::add);
        join.joins().forEach(j -> named.addAll(j.mainColumns()));
        List<String> missing = named.stream().filter(c -> !change.row().has(c) && !change.unavailable().contains(c))
                .distinct().toList();
        List<String> retyped = named.stream().filter(change.retyped()::contains).distinct().toList();
        if (!missing.isEmpty() || !retyped.isEmpty()) {
            throw new ChangedColumnsException(family, change.table(), missing, retyped);
        }
    }
}
