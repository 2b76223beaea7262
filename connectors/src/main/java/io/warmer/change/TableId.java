package io.warmer.change;

import java.util.regex.Pattern;

/** A source table, {@code schema.table}; a bare name means the {@code public} schema. */
public record TableId(String schema, String table) {

    public static final String DEFAULT_SCHEMA = "public";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    public TableId {
        requireIdentifier(schema, "schema");
        requireIdentifier(table, "table");
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code text} */
    public static TableId parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a table name is required, e.g. 'public.users'");
        }
        String[] parts = text.split("\\.", -1);
        return switch (parts.length) {
            case 1 -> new TableId(DEFAULT_SCHEMA, parts[0]);
            case 2 -> new TableId(parts[0], parts[1]);
            default -> throw new IllegalArgumentException(
                    "'" + text + "' is not a table name; expected 'table' or 'schema.table'");
        };
    }

    public String qualified() {
        return schema + "." + table;
    }

    @Override
    public String toString() {
        return qualified();
    }

    private static void requireIdentifier(String value, String what) {
        if (value == null || !IDENTIFIER.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a valid " + what
                    + " name; expected letters, digits and underscores, not starting with a digit");
        }
    }
}
