package io.warmer.capture.rows;

import java.util.Objects;

/**
 * A column's type, resolved through domains to what its values are.
 *
 * @param name    the type as PostgreSQL formats it ({@code integer}, {@code numeric(10,2)}, {@code text[]}, a
 *                domain's own name), for messages and for casting text back to the type
 * @param kind    how its values (each element's, for an array) are rendered
 * @param array   whether the column holds arrays of {@code kind}
 * @param readAs  a cast the column is selected with, e.g. {@code numeric} for {@code money} (whose text depends on
 *                the server's locale); null to select it as it is
 */
public record ColumnType(String name, ColumnKind kind, boolean array, String readAs) {
    public ColumnType {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
    }

    public ColumnType(String name, ColumnKind kind, boolean array) {
        this(name, kind, array, null);
    }

    /** The expression that selects the column, aliased to its own name. */
    public String select(String column) {
        String quoted = "\"" + column.replace("\"", "\"\"") + "\"";
        return readAs == null ? quoted : quoted + "::" + readAs + " AS " + quoted;
    }
}
