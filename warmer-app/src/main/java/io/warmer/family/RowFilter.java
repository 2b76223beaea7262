package io.warmer.family;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which rows have cache entries: each column must equal one of its listed values ({@code null} matches
 * SQL NULL). Values compare as text, so {@code 1}, {@code true} and {@code active} all work.
 */
public record RowFilter(Map<String, List<String>> allowed) {

    public static final RowFilter ALL = new RowFilter(Map.of());

    public RowFilter {
        allowed = Map.copyOf(allowed);
    }

    public boolean matches(JsonNode row) {
        for (var condition : allowed.entrySet()) {
            JsonNode value = row.get(condition.getKey());
            String text = value == null || value.isNull() ? null : value.isTextual() ? value.textValue() : value.toString();
            if (!condition.getValue().contains(text)) {
                return false;
            }
        }
        return true;
    }

    public Set<String> columns() {
        return allowed.keySet();
    }

    public boolean isEmpty() {
        return allowed.isEmpty();
    }
}
