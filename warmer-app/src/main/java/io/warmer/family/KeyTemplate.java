package io.warmer.family;

import com.fasterxml.jackson.databind.JsonNode;
import io.warmer.expression.ExpressionException;
import io.warmer.expression.RowExpression;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cache key with placeholders for column values: {@code v2:user:${id}:profile}. Only {@code ${...}}
 * is special, so literal braces (Redis Cluster hash tags such as {@code {user:${id}}}) pass through. A placeholder
 * holds a column's name or an expression ({@code ${lower(email)}}, see {@link RowExpression}) that yields text or a
 * whole number.
 */
public final class KeyTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String text;
    /** Literal and placeholder parts; a column part is kept as its name, an expression compiled. */
    private final List<Part> parts;
    private final Set<String> columns;
    /** What {@link #match} matches a key with: one group per column part, in order; compiled once. */
    private final Pattern matcher;
    /** The column of each of {@link #matcher}'s groups. */
    private final List<String> groupColumns;

    /** @param expression null for a literal or a column's name */
    private record Part(String text, boolean column, RowExpression expression) {
        boolean placeholder() {
            return column || expression != null;
        }
    }

    private KeyTemplate(String text, List<Part> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
        Set<String> cols = new LinkedHashSet<>();
        for (Part part : parts) {
            if (part.column()) {
                cols.add(part.text());
            } else if (part.expression() != null) {
                cols.addAll(part.expression().columns());
            }
        }
        this.columns = Set.copyOf(cols);
        StringBuilder regex = new StringBuilder("^");
        List<String> names = new ArrayList<>();
        for (Part part : parts) {
            if (part.column()) {
                regex.append("(.+?)");
                names.add(part.text());
            } else if (part.expression() != null) {
                regex.append("(?:.+?)");
            } else {
                regex.append(Pattern.quote(part.text()));
            }
        }
        this.matcher = Pattern.compile(regex.append('$').toString());
        this.groupColumns = List.copyOf(names);
    }

    /** @throws IllegalArgumentException saying what is wrong with the template and how to write it */
    public static KeyTemplate parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a key template is required, e.g. 'v2:user:${id}:profile'");
        }
        List<Part> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        int end = 0;
        while (m.find()) {
            String inside = m.group(1).trim();
            if (m.start() > end) {
                parts.add(new Part(text.substring(end, m.start()), false, null));
            }
            if (COLUMN.matcher(inside).matches()) {
                parts.add(new Part(inside, true, null));
            } else if (inside.isEmpty()) {
                throw new IllegalArgumentException("found an empty '${}' in '" + text
                        + "', expected a column name or an expression inside ${...}, e.g. ${id} or ${lower(email)}");
            } else {
                try {
                    parts.add(new Part(inside, false, RowExpression.compile(inside, "${" + inside + "}")));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("found '${" + m.group(1) + "}' in '" + text + "', which is"
                            + " neither a column name nor an expression (" + e.getMessage() + "); expected e.g. ${id}"
                            + " or ${lower(email)}", e);
                }
            }
            end = m.end();
        }
        if (end < text.length()) {
            String rest = text.substring(end);
            if (rest.contains("${")) {
                throw new IllegalArgumentException("found an unclosed '${' in '" + text + "', expected ${column}");
            }
            parts.add(new Part(rest, false, null));
        }
        if (parts.stream().noneMatch(Part::placeholder)) {
            throw new IllegalArgumentException("found '" + text + "' without any ${column}; every row would write the"
                    + " same key. Expected e.g. 'v2:user:${id}:profile'");
        }
        return new KeyTemplate(text, parts);
    }

    /** The columns the key is made of. */
    public Set<String> columns() {
        return columns;
    }

    /** The expressions among the placeholders (not those that are a column's name). */
    public List<RowExpression> expressions() {
        return parts.stream().map(Part::expression).filter(java.util.Objects::nonNull).toList();
    }

    /**
     * The key for this row, or empty when it has none: a column it reads is absent (a delete's row may be its primary
     * key only; an expression must not decide from a column it was not sent), a column part is NULL, or an expression
     * fails.
     */
    public java.util.Optional<String> tryRender(JsonNode row) {
        if (row == null || !columns.stream().allMatch(row::has)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(render(row));
        } catch (UnrenderableRowException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * @throws UnrenderableRowException when a column is absent or NULL: such a row has no key
     */
    public String render(JsonNode row) {
        StringBuilder key = new StringBuilder(text.length() + 16);
        for (Part part : parts) {
            if (part.expression() != null) {
                try {
                    key.append(part.expression().keyPart(row));
                } catch (ExpressionException e) {
                    throw new UnrenderableRowException("key template '" + text + "': " + e.getMessage());
                }
                continue;
            }
            if (!part.column()) {
                key.append(part.text());
                continue;
            }
            JsonNode value = row == null ? null : row.get(part.text());
            if (value == null || value.isNull()) {
                throw new UnrenderableRowException("column '" + part.text() + "' of key template '" + text + "' is "
                        + (value == null ? "absent from" : "NULL in") + " the row");
            }
            if (value.isTextual()) {
                key.append(value.textValue());
            } else if (value.isInt() || value.isLong()) {
                key.append(value.longValue()); // as toString() writes it, without a JSON generator per key (serial ids)
            } else {
                key.append(value.toString());
            }
        }
        return key.toString();
    }

    /**
     * The column values a key of this template was made of, e.g. {@code user:42:profile} against
     * {@code user:${id}:profile} gives {@code {id=42}}; empty when the key is not of this template. An expression's
     * part matches any text and gives no value.
     */
    public java.util.Optional<Map<String, String>> match(String key) {
        // Compiling the pattern per call was 3.7% of the demo's CPU: the orphan sweep matches every key it scans.
        Matcher m = matcher.matcher(key);
        if (!m.matches()) {
            return java.util.Optional.empty();
        }
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < groupColumns.size(); i++) {
            String previous = values.putIfAbsent(groupColumns.get(i), m.group(i + 1));
            if (previous != null && !previous.equals(m.group(i + 1))) {
                return java.util.Optional.empty(); // one column, two different values: not a key of this template
            }
        }
        return java.util.Optional.of(values);
    }

    /**
     * The same template under another leading segment: {@code v2:user:${id}} with {@code v3} gives
     * {@code v3:user:${id}}, for building the next key version.
     *
     * @throws IllegalArgumentException when the template does not start with a literal segment
     */
    public KeyTemplate withFirstSegment(String segment) {
        int colon = text.indexOf(':');
        int placeholder = text.indexOf("${");
        if (colon <= 0 || (placeholder >= 0 && placeholder < colon)) {
            throw new IllegalArgumentException("key template '" + text + "' does not start with a literal segment such as"
                    + " 'v2:' that a target prefix could replace");
        }
        return parse(segment + text.substring(colon));
    }

    /** A Redis SCAN pattern matching every key this template renders (literal text escaped). */
    public String globPattern() {
        StringBuilder glob = new StringBuilder();
        for (Part part : parts) {
            if (part.placeholder()) {
                glob.append('*');
            } else {
                for (char ch : part.text().toCharArray()) {
                    if ("*?[]\\".indexOf(ch) >= 0) {
                        glob.append('\\');
                    }
                    glob.append(ch);
                }
            }
        }
        return glob.toString();
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyTemplate other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
