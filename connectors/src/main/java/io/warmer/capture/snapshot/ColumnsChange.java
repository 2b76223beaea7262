package io.warmer.capture.snapshot;

import io.warmer.change.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a table's columns differ between two readings of the catalog: columns added, columns gone (dropped or renamed:
 * the catalog cannot tell which) and columns whose type changed.
 */
public record ColumnsChange(TableId table, List<String> added, List<String> removed, List<String> retyped) {

    public ColumnsChange {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        retyped = List.copyOf(retyped);
    }

    /**
     * @param before column → type, as accepted earlier
     * @param now    column → type, as the catalog says now
     * @return null when they are the same
     */
    static ColumnsChange between(TableId table, Map<String, String> before, Map<String, String> now) {
        List<String> added = new ArrayList<>();
        List<String> retyped = new ArrayList<>();
        now.forEach((column, type) -> {
            if (!before.containsKey(column)) {
                added.add(column);
            } else if (!before.get(column).equals(type)) {
                retyped.add(column);
            }
        });
        List<String> removed = before.keySet().stream().filter(c -> !now.containsKey(c)).toList();
        return added.isEmpty() && removed.isEmpty() && retyped.isEmpty() ? null
                : new ColumnsChange(table, added, removed, retyped);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) {
            parts.add("added " + String.join(", ", added));
        }
        if (!removed.isEmpty()) {
            parts.add("dropped or renamed " + String.join(", ", removed));
        }
        if (!retyped.isEmpty()) {
            parts.add("changed the type of " + String.join(", ", retyped));
        }
        return String.join("; ", parts);
    }
}
