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
 * @param as      the value's field for the joined row(s)
 * @param columns the joined columns to include; every column when absent
 * @param many    {@code true} for every matching row as an array; one row as an object by default
 * @param flatten {@code true} to put one row's {@code columns} at the top level of the value instead of under {@code as}
 */
public record JoinConfig(TableId table, Map<String, String> on, String as, List<String> columns, Boolean many,
                         Boolean flatten) {

    public JoinConfig {
        require(table, "table", "public.user_settings");
        if (on == null || on.isEmpty()) {
            throw InvalidFieldException.missing("on", "{user_id: id} (joined column: main primary-key column)");
        }
        require(as, "as", "settings");
        columns = columns == null ? List.of() : List.copyOf(columns);
        many = many != null && many;
        flatten = flatten != null && flatten;
        if (flatten && many) {
            throw new InvalidFieldException("flatten", "found it with many: true, expected one joined row (an array"
                    + " of rows cannot be flattened into the value)");
        }
        if (flatten && columns.isEmpty()) {
            throw new InvalidFieldException("columns", "found none for a flattened join, expected the joined columns"
                    + " to put into the value, e.g. columns: [quantity]");
        }
    }

    public Join toJoin() {
        return new Join(table, on, as, columns, many, flatten);
    }
}
