package io.warmer.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Columns PostgreSQL did not send with an update (unchanged TOASTed values), taken from the row kept before. A
 * column the kept row did not know either (it was unsent there too: its value in that row is only a placeholder)
 * stays unknown, and is listed, so that nothing renders the placeholder as the column's value.
 */
final class UnsentColumns {

    private UnsentColumns() {
    }

    /** The row with what could be filled in, and the unsent columns nobody knows. */
    record Filled(ObjectNode row, List<String> unknown) {

        /** {@link #unknown} as the stores keep it: a JSON array, or null when every column is known. */
        ArrayNode unknownArray() {
            if (unknown.isEmpty()) {
                return null;
            }
            ArrayNode columns = JsonNodeFactory.instance.arrayNode();
            unknown.forEach(columns::add);
            return columns;
        }
    }

    /**
     * @param kept        the row kept before (null: none)
     * @param keptUnknown the columns the kept row did not know (a JSON array of names, or missing)
     */
    static Filled fill(ObjectNode row, Iterable<String> unsent, ObjectNode kept, JsonNode keptUnknown) {
        ObjectNode complete = row;
        List<String> unknown = new ArrayList<>();
        for (String column : unsent) {
            JsonNode known = kept == null || contains(keptUnknown, column) ? null : kept.get(column);
            if (known == null) {
                unknown.add(column);
                continue;
            }
            complete = complete == row ? row.deepCopy() : complete;
            complete.set(column, known);
        }
        return new Filled(complete, List.copyOf(unknown));
    }

    /** The names in a JSON array of column names. */
    static List<String> names(JsonNode columns) {
        List<String> names = new ArrayList<>();
        if (columns != null) {
            columns.forEach(c -> names.add(c.asText()));
        }
        return names;
    }

    private static boolean contains(JsonNode columns, String column) {
        if (columns == null) {
            return false;
        }
        for (JsonNode c : columns) {
            if (c.asText().equals(column)) {
                return true;
            }
        }
        return false;
    }
}
