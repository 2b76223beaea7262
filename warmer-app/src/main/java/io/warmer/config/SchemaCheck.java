package io.warmer.config;

import io.warmer.capture.MissingColumnException;
import io.warmer.capture.PostgresPreflight;
import io.warmer.capture.SourceSchemaException;
import io.warmer.capture.TableSchema;
import io.warmer.change.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What only the database can tell about a configuration: that a TTL column holds a time, that each expression
 * type-checks against the columns' types, and that a join meets the main table's primary key. Run at start-up and by {@code warmer config check --connect}.
 */
public final class SchemaCheck {

    /** information_schema types a TTL column may have: a time, or epoch seconds as a number. */
    static final Set<String> TTL_TYPES = Set.of("timestamp with time zone", "timestamp without time zone", "date",
            "bigint", "integer", "numeric");

    private SchemaCheck() {
    }

    /**
     * The database's side of the configuration: every table and column it reads exists, with a primary key.
     *
     * @return each table's primary key and column types; empty when the configuration names no database (Debezium
     *         topics without {@code source.postgres}: then a missing column is found in the events, where it breaks
     *         the family that reads it, see {@code ChangedColumnsException})
     * @throws SourceSchemaException naming what is missing, the families that read it and what to change
     */
    public static Map<TableId, TableSchema> preflight(WarmerConfig config) {
        if (config.source().database().isEmpty()) {
            return Map.of();
        }
        try {
            return PostgresPreflight.check(config.source().postgres().endpoint(), config.tables(),
                    config.requiredColumns(), !config.source().fromDebeziumTopics());
        } catch (MissingColumnException e) {
            throw named(config, e);
        }
    }

    /** The missing column's message with the families that read it, and what to change. */
    public static SourceSchemaException named(WarmerConfig config, MissingColumnException e) {
        List<String> readers = new ArrayList<>();
        for (int i = 0; i < config.families().size(); i++) {
            FamilyConfig family = config.families().get(i);
            boolean reads = family.table().equals(e.table()) && config.keyFamily(family.name()).usedColumns().contains(e.column())
                    || family.join().stream().flatMap(j -> java.util.stream.Stream.concat(java.util.stream.Stream.of(j),
                    j.join().stream())).anyMatch(j -> j.table().equals(e.table())
                    && (j.toJoin().joinedKeyColumns().contains(e.column()) || j.columns().contains(e.column())));
            if (reads) {
                readers.add("families[" + i + "] (" + family.name() + ")");
            }
        }
        String by = readers.isEmpty() ? "the configuration reads it" : String.join(" and ", readers)
                + (readers.size() == 1 ? " reads it" : " read it");
        return new SourceSchemaException("Table " + e.table() + " has no column '" + e.column() + "' (it has "
                + String.join(", ", e.present()) + "), and " + by + ": if it was renamed or dropped, change the"
                + " family's columns, fields, key, where, ttl-column or join to what the table has now, then restart.");
    }

    /** @throws SourceSchemaException naming the family field and what the database has instead */
    public static void verify(WarmerConfig config, Map<TableId, TableSchema> schemas) {
        for (int i = 0; i < config.families().size(); i++) {
            FamilyConfig family = config.families().get(i);
            TableSchema main = schemas.get(family.table());
            if (main == null) {
                continue;
            }
            if (family.ttlColumn() != null) {
                String type = main.columnTypes().get(family.ttlColumn());
                if (type != null && !TTL_TYPES.contains(type)) {
                    throw new SourceSchemaException("families[" + i + "].ttl-column: column '" + family.ttlColumn()
                            + "' of " + family.table() + " is " + type + ", expected a timestamp, a date or epoch"
                            + " seconds as a number");
                }
            }
            for (var expression : family.expressions(config.keyFamily(family.name())).entrySet()) {
                String field = "families[" + i + "]." + expression.getKey();
                var problem = expression.getValue().getKey().typeErrors(main.columnTypes(),
                        expression.getValue().getValue(), field);
                if (problem.isPresent()) {
                    throw new SourceSchemaException(problem.get() + System.lineSeparator() + "(" + family.table()
                            + " has " + main.columnTypes() + ")");
                }
            }
            for (int j = 0; j < family.join().size(); j++) {
                JoinConfig join = family.join().get(j);
                boolean wholeRow = family.columns().isEmpty() && family.fields().isEmpty() && family.valueOf() == null;
                for (String column : join.flatten() && wholeRow ? join.columns() : List.<String>of()) {
                    if (main.columnTypes().containsKey(column)) {
                        throw new SourceSchemaException("families[" + i + "].join[" + j + "].columns: '" + column
                                + "' is a column of " + family.table() + " too, and the value has every column of it;"
                                + " name the family's columns (or fields) without it, or join another column");
                    }
                }
                verifyKeys("families[" + i + "].join[" + j + "]", family.table(), main, join, schemas);
                TableSchema joined = schemas.get(join.table());
                for (int k = 0; k < join.join().size() && joined != null; k++) {
                    verifyKeys("families[" + i + "].join[" + j + "].join[" + k + "]", join.table(), joined,
                            join.join().get(k), schemas);
                }
            }
        }
    }

    /** A lookup finds the joined table's primary key; a join {@code on} names the primary key of the table it joins. */
    private static void verifyKeys(String field, TableId mainTable, TableSchema main, JoinConfig join,
                                   Map<TableId, TableSchema> schemas) {
        if (join.toJoin().isLookup()) {
            TableSchema joined = schemas.get(join.table());
            List<String> joinedKey = new ArrayList<>(join.lookup().values());
            if (joined != null && !joinedKey.equals(joined.primaryKey())) {
                throw new SourceSchemaException(field + ".lookup: found joined columns " + joinedKey + ", expected the"
                        + " primary key of " + join.table() + ", in order: " + joined.primaryKey() + " (a lookup finds"
                        + " the one row a main row's columns point at)");
            }
            return;
        }
        if (join.toJoin().isMatch()) {
            return; // any columns: the ones named exist (preflight)
        }
        List<String> mainColumns = new ArrayList<>(join.on().values());
        if (!mainColumns.equals(main.primaryKey())) {
            throw new SourceSchemaException(field + ".on: found main columns " + mainColumns + ", expected the primary"
                    + " key of " + mainTable + ", in order: " + main.primaryKey() + "; to join the rows that hold other"
                    + " columns' values, write match: " + join.on().entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue()).collect(java.util.stream.Collectors.joining(", ", "{", "}"))
                    + " instead of on");
        }
    }
}
