package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import io.warmer.change.TableId;
import io.warmer.family.Join;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code families[].join}.
 *
 * @param table   the joined table
 * @param on      joined column to main primary-key column, e.g. {@code {user_id: id}}
 * @param lookup  main column to joined primary-key column, e.g. {@code {category_id: id}}: the one row a foreign key
 *                points at (instead of {@code on})
 * @param match   joined column to main column, any columns, e.g. {@code {customer_email: email}}: the rows that hold
 *                the main row's values (instead of {@code on})
 * @param as      the value's field for the joined row(s)
 * @param columns the joined columns to include; every column when absent
 * @param many    {@code true} for every matching row as an array; one row as an object by default
 * @param flatten {@code true} to put one row's {@code columns} at the top level of the value instead of under {@code as}
 * @param join    joins of the joined table's rows (a second level), as {@code families[].join} are of the main rows
 */
public record JoinConfig(TableId table, Map<String, String> on, Map<String, String> lookup,
                         Map<String, String> match, String as, List<String> columns, Boolean many, Boolean flatten,
                         List<JoinConfig> join) {

    public JoinConfig {
        require(table, "table", "public.user_settings");
        on = on == null ? Map.of() : on;
        lookup = lookup == null ? Map.of() : lookup;
        match = match == null ? Map.of() : match;
        if (on.isEmpty() && lookup.isEmpty() && match.isEmpty()) {
            throw InvalidFieldException.missing("on", "{user_id: id} (joined column: main primary-key column),"
                    + " lookup: {category_id: id} (main column: joined primary-key column), or match: {customer_email:"
                    + " email} (joined column: any main column)");
        }
        if (!on.isEmpty() && !lookup.isEmpty() || !match.isEmpty() && (!on.isEmpty() || !lookup.isEmpty())) {
            throw new InvalidFieldException(match.isEmpty() ? "lookup" : "match", "found it with "
                    + (on.isEmpty() ? "lookup" : "on") + ", expected one of them: on for the joined rows that hold the"
                    + " main key, lookup for the one row the main row's columns point at, match for the rows that hold"
                    + " the values of other main columns");
        }
        require(as, "as", "settings");
        columns = columns == null ? List.of() : List.copyOf(columns);
        many = many != null && many;
        flatten = flatten != null && flatten;
        if (many && !lookup.isEmpty()) {
            throw new InvalidFieldException("many", "found many: true with lookup, expected one row: a lookup finds"
                    + " the one row whose primary key the main row holds");
        }
        if (flatten && many) {
            throw new InvalidFieldException("flatten", "found it with many: true, expected one joined row (an array"
                    + " of rows cannot be flattened into the value)");
        }
        join = join == null ? List.of() : List.copyOf(join);
        if (!join.isEmpty() && !lookup.isEmpty()) {
            throw new InvalidFieldException("join", "found joins under a lookup, expected them under a join on the"
                    + " main key or a match (the looked-up row's own joins are not supported yet)");
        }
        for (int k = 0; k < join.size(); k++) {
            JoinConfig nested = join.get(k);
            if (!nested.join().isEmpty()) {
                throw new InvalidFieldException("join[" + k + "].join", "found a third level of joins, expected at"
                        + " most two (a main row's joined rows and their own joined rows)");
            }
            if (nested.table().equals(table)) {
                throw new InvalidFieldException("join[" + k + "].table", "found " + table + ", the table it is joined"
                        + " to, expected another table (a row cannot join itself)");
            }
            for (int l = 0; l < k; l++) {
                if (join.get(l).as().equals(nested.as())) {
                    throw new InvalidFieldException("join[" + k + "].as", "found '" + nested.as() + "' a second"
                            + " time, expected each join of " + table + " to fill a field of its own");
                }
            }
        }
        if (flatten && columns.isEmpty()) {
            throw new InvalidFieldException("columns", "found none for a flattened join, expected the joined columns"
                    + " to put into the value, e.g. columns: [quantity]");
        }
    }

    public Join toJoin() {
        return new Join(table, on, lookup, match, as, columns, many, flatten,
                join.stream().map(JoinConfig::toJoin).toList());
    }
}
