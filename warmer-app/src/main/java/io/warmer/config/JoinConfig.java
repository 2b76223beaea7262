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
 */
public record JoinConfig(TableId table, Map<String, String> on, String as, List<String> columns, Boolean many) {

    public JoinConfig {
        require(table, "table", "public.user_settings");
        if (on == null || on.isEmpty()) {
            throw InvalidFieldException.missing("on", "{user_id: id} (joined column: main primary-key column)");
        }
        require(as, "as", "settings");
        columns = columns == null ? List.of() : List.copyOf(columns);
        many = many != null && many;
    }

    public Join toJoin() {
        return new Join(table, on, as, columns, many);
    }
}
