package io.warmer.family;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.RowChangeCodec;
import io.warmer.expression.ExpressionException;
import io.warmer.expression.RowExpression;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The bytes an application reads under a family's key, made from a row. */
public sealed interface ValueShape {

    String render(ObjectNode row);

    /** The columns the value reads; empty means every column. */
    Set<String> columns();

    /**
     * A JSON object. {@code fields} maps each output field to its column, or to an expression over the row's columns
     * ({@code first_name + ' ' + last_name}, see {@link RowExpression}); a dotted field ({@code address.city}) nests,
     * and a field whose expression yields {@code optional.none()} is left out. An empty map means the whole row as it
     * is.
     *
     * @param computed the fields whose source is an expression, compiled (derived from {@code fields})
     */
    record Json(Map<String, String> fields, Map<String, RowExpression> computed) implements ValueShape {
        public Json {
            fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
            computed = Map.copyOf(computed);
        }

        /** @throws IllegalArgumentException naming the field whose expression does not compile */
        public Json(Map<String, String> fields) {
            this(fields, compiled(fields));
        }

        private static Map<String, RowExpression> compiled(Map<String, String> fields) {
            Map<String, RowExpression> computed = new LinkedHashMap<>();
            for (var field : fields.entrySet()) {
                RowExpression expression;
                try {
                    expression = RowExpression.compile(field.getValue(), "fields." + field.getKey());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("field '" + field.getKey() + "': " + e.getMessage(), e);
                }
                if (expression.column().isEmpty()) {
                    computed.put(field.getKey(), expression);
                }
            }
            return computed;
        }

        public static Json wholeRow() {
            return new Json(Map.of());
        }

        @Override
        public String render(ObjectNode row) {
            if (fields.isEmpty()) {
                return RowChangeCodec.writeJson(row);
            }
            ObjectNode value = JsonNodeFactory.instance.objectNode();
            for (var field : fields.entrySet()) {
                JsonNode fieldValue;
                RowExpression expression = computed.isEmpty() ? null : computed.get(field.getKey());
                if (expression == null) {
                    JsonNode columnValue = row.get(field.getValue());
                    fieldValue = columnValue == null ? JsonNodeFactory.instance.nullNode() : columnValue;
                } else {
                    try {
                        fieldValue = expression.json(row);
                    } catch (ExpressionException e) {
                        throw new UnrenderableRowException("field '" + field.getKey() + "': " + e.getMessage());
                    }
                    if (fieldValue == null) {
                        continue; // optional.none(): the field is not there for this row
                    }
                }
                ObjectNode parent = value;
                String[] path = field.getKey().split("\\.");
                for (int i = 0; i < path.length - 1; i++) {
                    JsonNode child = parent.get(path[i]);
                    parent = child instanceof ObjectNode object ? object : parent.putObject(path[i]);
                }
                parent.set(path[path.length - 1], fieldValue);
            }
            return RowChangeCodec.writeJson(value);
        }

        @Override
        public Set<String> columns() {
            Set<String> columns = new java.util.LinkedHashSet<>();
            for (var field : fields.entrySet()) {
                RowExpression expression = computed.get(field.getKey());
                if (expression == null) {
                    columns.add(field.getValue());
                } else {
                    columns.addAll(expression.columns());
                }
            }
            return Set.copyOf(columns);
        }
    }

    /**
     * A Redis hash, one field per column (all columns when none are named): text as it is, anything
     * else as its JSON text; a NULL column has no field.
     */
    record Hash(java.util.List<String> columnNames) implements ValueShape {
        public Hash {
            columnNames = java.util.List.copyOf(columnNames);
        }

        public Map<String, String> fields(ObjectNode row) {
            Map<String, String> fields = new LinkedHashMap<>();
            Iterable<String> names = columnNames.isEmpty() ? row::fieldNames : columnNames;
            for (String name : names) {
                JsonNode value = row.get(name);
                if (value != null && !value.isNull()) {
                    fields.put(name, value.isTextual() ? value.textValue() : RowChangeCodec.writeJson(value));
                }
            }
            return fields;
        }

        /** The hash as a JSON object, for display. */
        @Override
        public String render(ObjectNode row) {
            ObjectNode shown = JsonNodeFactory.instance.objectNode();
            fields(row).forEach(shown::put);
            return RowChangeCodec.writeJson(shown);
        }

        @Override
        public Set<String> columns() {
            return Set.copyOf(columnNames);
        }
    }

    /** One column as a plain string: text as it is, anything else as its JSON text. */
    record Text(String column) implements ValueShape {
        @Override
        public String render(ObjectNode row) {
            JsonNode value = row.get(column);
            if (value == null || value.isNull()) {
                throw new UnrenderableRowException("column '" + column + "' of a string value is "
                        + (value == null ? "absent" : "NULL") + "; a plain string cannot represent NULL");
            }
            return value.isTextual() ? value.textValue() : RowChangeCodec.writeJson(value);
        }

        @Override
        public Set<String> columns() {
            return Set.of(column);
        }
    }

    /**
     * A joined family's value that is one join's rows alone: {@code customer:42:orders} holding
     * {@code [{"id":9,...},{"id":10,...}]}, or one joined row as an object. A main row with no row in a one-row
     * join has no value (its keys are deleted), not {@code null}.
     *
     * @param as the join whose rows the value is
     */
    record Joined(String as) implements ValueShape {
        public boolean absentIn(ObjectNode row) {
            JsonNode value = row.get(as);
            return value == null || value.isNull();
        }

        @Override
        public String render(ObjectNode row) {
            return RowChangeCodec.writeJson(row.get(as));
        }

        /** The join's field: the main row's columns are not in the value. */
        @Override
        public Set<String> columns() {
            return Set.of(as);
        }
    }

    /**
     * Not one value per row but one member per row, in a Redis set (or a sorted set, with a score) under the key the
     * row renders: {@code tier:${tier}:users} holds the ids of the users of each tier. The member and the score are
     * a column or an expression; a timestamp score is its epoch milliseconds.
     *
     * @param score null for a plain set
     * @param cap   for a sorted set, how many members its key holds at most (the highest-scored), 0 for all
     */
    record Members(RowExpression member, RowExpression score, int cap) implements ValueShape {
        public Members {
            java.util.Objects.requireNonNull(member, "member");
            if (cap < 0 || cap > 0 && score == null) {
                throw new IllegalArgumentException("a cap of " + cap + (score == null ? " for a set" : ""));
            }
        }

        public Members(RowExpression member, RowExpression score) {
            this(member, score, 0);
        }

        public boolean sorted() {
            return score != null;
        }

        /** @throws UnrenderableRowException when the member is NULL or not text or a whole number */
        public String memberOf(JsonNode row) {
            try {
                return member.keyPart(row);
            } catch (ExpressionException e) {
                throw new UnrenderableRowException("member: " + e.getMessage());
            }
        }

        /** @throws UnrenderableRowException when the score is NULL or neither a number nor a time */
        public double scoreOf(JsonNode row) {
            try {
                return score.score(row);
            } catch (ExpressionException e) {
                throw new UnrenderableRowException("score: " + e.getMessage());
            }
        }

        /** The member, for display ({@code keys render}). */
        @Override
        public String render(ObjectNode row) {
            return memberOf(row);
        }

        @Override
        public Set<String> columns() {
            Set<String> columns = new java.util.LinkedHashSet<>(member.columns());
            if (score != null) {
                columns.addAll(score.columns());
            }
            return Set.copyOf(columns);
        }
    }
}
