package io.warmer.capture.rows;

import java.util.Objects;

/**
 * A column's type, resolved through domains to what its values are.
 *
 * @param name    the type as PostgreSQL formats it ({@code integer}, {@code numeric(10,2)}, {@code text[]}, a
 *                domain's own name), for messages and for casting text back to the type
 * @param kind    how its values (each element's, for an array) are rendered
 * @param array   whether the column holds arrays of {@code kind}
 */
public record ColumnType(String name, ColumnKind kind, boolean array) {
    public ColumnType {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
    }
}
