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
 * @param flatten one row's columns at the top level of the value instead of under {@code as} (then {@code columns}
 *                names them; each is null when no row joins)
 */
public record Join(TableId table, Map<String, String> on, String as, List<String> columns, boolean many,
                   boolean flatten) {

    public Join(TableId table, Map<String, String> on, String as, List<String> columns, boolean many) {
        this(table, on, as, columns, many, false);
    }

    public Join {
        Objects.requireNonNull(table, "table");
        on = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(on));
        Objects.requireNonNull(as, "as");
        columns = List.copyOf(columns);
        if (flatten && (many || columns.isEmpty())) {
            throw new IllegalArgumentException("a flattened join is one row with its columns named");
        }
    }

    /** The value's fields this join fills: {@code as}, or a flattened join's columns. */
    public List<String> fields() {
        return flatten ? columns : List.of(as);
    }

    /** Puts the joined row(s) into the main row as the value shows them: under {@code as}, or flattened into it. */
    public void applyTo(ObjectNode row, Iterable<JsonNode> rows) {
        JsonNode rendered = render(rows);
        if (!flatten) {
            row.set(as, rendered);
            return;
        }
        for (String column : columns) {
            JsonNode value = rendered.get(column);
            row.set(column, value == null ? JsonNodeFactory.instance.nullNode() : value);
        }
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
