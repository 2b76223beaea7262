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
 * user's settings) or all matching rows as an array (one-to-many, e.g. a customer's orders), found by the joined
 * table's columns that hold the main row's primary key ({@code on}); the one row the main row's foreign key
 * points at ({@code lookup}, many-to-one, e.g. a product's category); or the rows whose columns hold the same values
 * as other columns of the main row ({@code match}, e.g. a customer's preferences kept by email).
 * Exactly one of {@code on}, {@code lookup} and {@code match} is given.
 *
 * @param on      joined column to the main table's primary-key column, in primary-key order
 * @param lookup  main column to the joined table's primary-key column, in primary-key order
 * @param match   joined column to main column, any columns
 * @param as      the field of the value that holds the joined row(s)
 * @param columns the joined columns in the value; empty means every column
 * @param many    an array of every matching row instead of one row
 * @param flatten one row's columns at the top level of the value instead of under {@code as} (then {@code columns}
 *                names them; each is null when no row joins)
 * @param joins   rows of further tables folded into each joined row before it is selected (a second level: an
 *                order's lines, each with its product), as the main row's joins are into the main row
 */
public record Join(TableId table, Map<String, String> on, Map<String, String> lookup, Map<String, String> match,
                   String as, List<String> columns, boolean many, boolean flatten, List<Join> joins) {

    public Join {
        Objects.requireNonNull(table, "table");
        on = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(on));
        lookup = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(lookup));
        match = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(match));
        if (java.util.stream.Stream.of(on, lookup, match).filter(m -> !m.isEmpty()).count() != 1) {
            throw new IllegalArgumentException("a join is on the main key, a lookup of the joined key or a match of"
                    + " columns: exactly one of them");
        }
        if (many && !lookup.isEmpty()) {
            throw new IllegalArgumentException("a lookup finds one row");
        }
        Objects.requireNonNull(as, "as");
        columns = List.copyOf(columns);
        if (flatten && (many || columns.isEmpty())) {
            throw new IllegalArgumentException("a flattened join is one row with its columns named");
        }
        joins = List.copyOf(joins);
        if (!joins.isEmpty() && !lookup.isEmpty()) {
            throw new IllegalArgumentException("a lookup's row has no joins of its own yet");
        }
        if (joins.stream().anyMatch(j -> !j.joins().isEmpty())) {
            throw new IllegalArgumentException("joins are at most two levels deep");
        }
    }

    /** The joined table and those of its own joins. */
    public java.util.stream.Stream<TableId> tables() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(table), joins.stream().map(Join::table));
    }

    /** The fields the nested joins add to each joined row: not columns of the joined table. */
    public java.util.Set<String> nestedFields() {
        java.util.Set<String> fields = new java.util.LinkedHashSet<>();
        joins.forEach(j -> fields.addAll(j.fields()));
        return fields;
    }

    /** Whether this join looks up the one row the main row's columns point at (many main rows to one joined row). */
    public boolean isLookup() {
        return !lookup.isEmpty();
    }

    /** Whether this join matches the joined rows by columns other than the main key (many main rows to many). */
    public boolean isMatch() {
        return !match.isEmpty();
    }

    /**
     * Whether the main rows ask for their joined rows (a lookup, a match) instead of the joined rows being sent to the
     * main row whose key they hold (a join {@code on} the main key).
     */
    public boolean subscribes() {
        return on.isEmpty();
    }

    /** The joined table's columns the join finds its rows by: {@code on}'s or {@code match}'s keys, or the joined key of a lookup. */
    public java.util.Collection<String> joinedKeyColumns() {
        return isLookup() ? lookup.values() : isMatch() ? match.keySet() : on.keySet();
    }

    /** The main table's columns (other than its key) the join finds its rows by: those of a lookup or a match. */
    public java.util.Collection<String> mainColumns() {
        return isLookup() ? lookup.keySet() : match.values();
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
        return keyOf(joinedRow, on);
    }

    /**
     * The joined row a main row looks up, as the joined table's record key ({@code {"id":7}}): byte for byte, so that
     * it lands in the joined row's partition.
     *
     * @return null when a lookup column is NULL (the main row points at no row)
     */
    public String lookupKeyOf(JsonNode mainRow) {
        return keyOf(mainRow, lookup);
    }

    /**
     * What a main row subscribes to: for a lookup the joined row's key ({@link #lookupKeyOf}), for a match the values
     * of its match columns ({@code {"email":"a@b.c"}}), built like {@link #routeKeyOf} builds it from a joined row;
     * null for a join on the main key.
     *
     * @return null too when a column is NULL (SQL's equality finds no row for it)
     */
    public String subscriptionKeyOf(JsonNode mainRow) {
        if (isLookup()) {
            return lookupKeyOf(mainRow);
        }
        if (!isMatch()) {
            return null;
        }
        Map<String, String> own = new LinkedHashMap<>();
        match.values().forEach(column -> own.put(column, column));
        return keyOf(mainRow, own);
    }

    /**
     * Where the route stage sends a joined row: for a join on the main key the main row's key ({@link #mainKeyOf}),
     * for a match the values the main rows match it by, named by the main columns ({@link #subscriptionKeyOf}).
     *
     * @return null when a column is NULL
     */
    public String routeKeyOf(JsonNode joinedRow) {
        return isMatch() ? keyOf(joinedRow, match) : mainKeyOf(joinedRow);
    }

    /** A lookup's joined row's own key, as {@link #lookupKeyOf} renders it for the main rows that point at it. */
    public String keyOfLookedUp(JsonNode joinedRow) {
        Map<String, String> own = new LinkedHashMap<>();
        lookup.values().forEach(column -> own.put(column, column));
        return keyOf(joinedRow, own);
    }

    /**
     * The joined table's column and the main table's column the join matches rows by, when it is one column each
     * (what {@code verify} can narrow its reading of the joined table by); null otherwise.
     */
    public Map.Entry<String, String> joinedToMainColumn() {
        Map<String, String> columns = isLookup() ? lookup : isMatch() ? match : on;
        if (columns.size() != 1) {
            return null;
        }
        var only = columns.entrySet().iterator().next();
        return isLookup() ? Map.entry(only.getValue(), only.getKey()) : only;
    }

    /**
     * A record key ({@code {"id":42}}) made of {@code row}'s values: each entry names the row's column and the key's
     * field it becomes, in key order; null when one of those values is NULL.
     */
    private static String keyOf(JsonNode row, Map<String, String> columnToField) {
        ObjectNode key = JsonNodeFactory.instance.objectNode();
        for (var column : columnToField.entrySet()) {
            JsonNode value = row.get(column.getKey());
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
