package io.warmer.capture;

import java.util.List;
import java.util.Map;

/**
 * What the database says about a captured table.
 *
 * @param primaryKey  the primary-key columns, in key order
 * @param columnTypes every column with its type as information_schema names it
 *                    ({@code timestamp with time zone}, {@code bigint}, ...), in table order
 */
public record TableSchema(List<String> primaryKey, Map<String, String> columnTypes) {
    public TableSchema {
        primaryKey = List.copyOf(primaryKey);
        columnTypes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columnTypes));
    }
}
