package io.warmer.family;

import com.fasterxml.jackson.databind.JsonNode;
import io.warmer.expression.ExpressionException;
import io.warmer.expression.RowExpression;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which rows have cache entries: each column must equal one of its listed values ({@code null} matches
 * SQL NULL), and the condition, when there is one, must be true. Listed values compare as text, so {@code 1},
 * {@code true} and {@code active} all work.
 *
 * @param condition an expression that yields true or false ({@code where: "balance > 0 && tier != 'free'"}), or null
 */
public record RowFilter(Map<String, List<String>> allowed, RowExpression condition) {

    public static final RowFilter ALL = new RowFilter(Map.of());

    public RowFilter {
        allowed = Map.copyOf(allowed);
    }

    public RowFilter(Map<String, List<String>> allowed) {
        this(allowed, null);
    }

    /** @throws UnrenderableRowException when the condition cannot be evaluated for the row */
    public boolean matches(JsonNode row) {
        for (var condition : allowed.entrySet()) {
            JsonNode value = row.get(condition.getKey());
            String text = value == null || value.isNull() ? null : value.isTextual() ? value.textValue() : value.toString();
            if (!condition.getValue().contains(text)) {
                return false;
            }
        }
        if (condition == null) {
            return true;
        }
        try {
            return condition.test(row);
        } catch (ExpressionException e) {
            throw new UnrenderableRowException("where: " + e.getMessage());
        }
    }

    public Set<String> columns() {
        if (condition == null) {
            return allowed.keySet();
        }
        Set<String> columns = new LinkedHashSet<>(allowed.keySet());
        columns.addAll(condition.columns());
        return columns;
    }

    public Optional<RowExpression> expression() {
        return Optional.ofNullable(condition);
    }

    public boolean isEmpty() {
        return allowed.isEmpty() && condition == null;
    }
}
