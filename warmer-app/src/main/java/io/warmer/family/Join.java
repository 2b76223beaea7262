package io.warmer.family;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.TableId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rows of another table folded into a family's value: one row as an object (one-to-one, e.g. a
 * user's settings) or all matching rows as an array (one-to-many, e.g. a customer's orders).
 *
 * @param on      joined column to the main table's primary-key column, in primary-key order
 * @param as      the field of the value that holds the joined row(s)
 * @param columns the joined columns in the value; empty means every column
 * @param many    an array of every matching row instead of one row
 */
public record Join(TableId table, Map<String, String> on, String as, List<String> columns, boolean many) {

    public Join {
        Objects.requireNonNull(table, "table");
        on = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(on));
        Objects.requireNonNull(as, "as");
        columns = List.copyOf(columns);
    }

    /**
     * The main row's primary key this joined row belongs to, as the main table's record key
     * ({@code {"id":42}}): byte for byte, so that it lands in the same partition.
     *
     * @return null when a joined column is NULL (the row belongs to no main row)
     */
    public String mainKeyOf(JsonNode joinedRow) {
        ObjectNode key = JsonNodeFactory.instance.objectNode();
        for (var column : on.entrySet()) {
            JsonNode value = joinedRow.get(column.getKey());
            if (value == null || value.isNull()) {
                return null;
            }
            key.set(column.getValue(), value);
        }
        return RowChangeCodec.writeJson(key);
    }

    /** The joined rows as they appear in the value: an object (or null), or an array. */
    public JsonNode render(Iterable<JsonNode> rows) {
        if (many) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            rows.forEach(row -> array.add(select(row)));
            return array;
        }
        var first = rows.iterator();
        return first.hasNext() ? select(first.next()) : JsonNodeFactory.instance.nullNode();
    }

    private JsonNode select(JsonNode row) {
        if (columns.isEmpty()) {
            return row;
        }
        ObjectNode selected = JsonNodeFactory.instance.objectNode();
        columns.forEach(c -> selected.set(c, row.get(c)));
        return selected;
    }
}
