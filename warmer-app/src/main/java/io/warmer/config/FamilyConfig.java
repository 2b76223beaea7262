package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import io.warmer.change.TableId;
import io.warmer.family.Expiry;
import io.warmer.family.Fencing;
import io.warmer.family.KeyFamily;
import io.warmer.family.KeyTemplate;
import io.warmer.family.RowFilter;
import io.warmer.family.ValueShape;
import io.warmer.expression.RowExpression;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One entry of {@code families}: a kind of cache entry. Every field is documented in the README's
 * configuration reference.
 *
 * @param name         unique, used in state-store names and messages
 * @param table        {@code schema.table} (a bare name means {@code public})
 * @param key          one key template, or a list: every key the row is written under
 * @param where        column to allowed value(s), or an expression that must be true: only matching rows have
 *                     entries
 * @param value        the shape of the value; {@link ValueFormat#JSON} by default
 * @param columns      the columns of a JSON value, or the one column of a string value
 * @param fields       instead of {@code columns}: JSON field (dotted to nest) to column or expression
 * @param ttl          expiry after each write, e.g. {@code 1h}, or an expression that yields a duration, seconds or
 *                     an instant; absent means none
 * @param ttlColumn    a timestamp column holding when the entry expires (instead of {@code ttl})
 * @param ttlJitter    spread of the TTL, e.g. {@code 10%} for ±10%; none by default
 * @param fencing      apply a write only if its row version is newer than the key's; {@link #DEFAULT_FENCING}
 * @param tombstoneTtl how long a deleted key's version is kept; {@link Fencing#DEFAULT_TOMBSTONE_TTL}
 * @param join         rows of other tables folded into a JSON value
 * @param member       for a set or sorted-set value: the column or expression each row is a member as
 * @param score        for a sorted-set value: the column or expression scoring the member (a number or a time)
 * @param cap          for a sorted-set value: the key holds the highest-scored this many members, absent for all
 * @param valueOf      a join's {@code as}: the value is that join's rows (an array, or one row) instead of an object
 */
public record FamilyConfig(String name, TableId table, List<KeyTemplate> key, Object where,
                           ValueFormat value, List<String> columns, Map<String, String> fields, String ttl,
                           String ttlColumn, String ttlJitter, Boolean fencing, Duration tombstoneTtl,
                           List<JoinConfig> join, String member, String score, Integer cap, String valueOf) {

    public static final boolean DEFAULT_FENCING = true;

    public FamilyConfig {
        require(name, "name", "user-profile-v2");
        if (!name.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new InvalidFieldException("name", "found '" + name
                    + "', expected lower-case letters, digits, '-' and '_', e.g. user-profile-v2");
        }
        require(table, "table", "public.users");
        if (key == null || key.isEmpty()) {
            throw InvalidFieldException.missing("key", "v2:user:${id}:profile");
        }
        key = List.copyOf(key);
        if (where == null) {
            where = Map.of();
        } else if (where instanceof Map<?, ?> conditions) {
            where = new LinkedHashMap<>(conditions);
        } else if (!(where instanceof String)) {
            throw new InvalidFieldException("where", "found " + where + ", expected columns and their values (where:"
                    + " {status: active}) or an expression (where: \"balance > 0\")");
        }
        value = value == null ? ValueFormat.JSON : value;
        columns = columns == null ? List.of() : List.copyOf(columns);
        fields = fields == null ? Map.of() : new LinkedHashMap<>(fields);
        if (!columns.isEmpty() && !fields.isEmpty()) {
            throw new InvalidFieldException("fields", "found both columns and fields, expected one of them");
        }
        if (value == ValueFormat.HASH && !fields.isEmpty()) {
            throw new InvalidFieldException("fields", "found fields for a hash value, expected columns (hash fields are"
                    + " named after their columns)");
        }
        if (value == ValueFormat.STRING && (columns.size() != 1 || !fields.isEmpty())) {
            throw new InvalidFieldException("columns", "found " + columns + " for a string value, expected exactly"
                    + " one column, e.g. columns: [name]");
        }
        Duration fixedTtl = fixedTtl(ttl);
        if (fixedTtl != null && (fixedTtl.isNegative() || fixedTtl.isZero())) {
            throw new InvalidFieldException("ttl", "found " + ttl + ", expected a positive duration such as 1h (or no ttl)");
        }
        if (ttl != null && ttlColumn != null) {
            throw new InvalidFieldException("ttl-column", "found both ttl and ttl-column, expected one of them");
        }
        if (ttlJitter != null) {
            if (ttl == null && ttlColumn == null) {
                throw new InvalidFieldException("ttl-jitter", "found a jitter without ttl or ttl-column to spread");
            }
        }
        fencing = fencing == null ? DEFAULT_FENCING : fencing;
        tombstoneTtl = tombstoneTtl == null ? Fencing.DEFAULT_TOMBSTONE_TTL : tombstoneTtl;
        if (tombstoneTtl.isNegative() || tombstoneTtl.isZero()) {
            throw new InvalidFieldException("tombstone-ttl", "found " + tombstoneTtl + ", expected a positive duration such as 24h");
        }
        join = join == null ? List.of() : List.copyOf(join);
        java.util.Set<String> names = new java.util.HashSet<>(columns);
        names.addAll(fields.keySet());
        for (int i = 0; i < join.size(); i++) {
            JoinConfig j = join.get(i);
            if (j.table().equals(table)) {
                throw new InvalidFieldException("join[" + i + "].table", "found the family's own table " + table
                        + ", expected another table (a row cannot join itself)");
            }
            if (j.flatten()) {
                for (String column : j.columns()) {
                    if (!names.add(column)) {
                        throw new InvalidFieldException("join[" + i + "].columns", "found '" + column + "', which the"
                                + " value has already; a flattened join's columns must be fields of their own");
                    }
                }
            } else if (!names.add(j.as())) {
                throw new InvalidFieldException("join[" + i + "].as", "found '" + j.as() + "' a second time (or as a"
                        + " column), expected a field name of its own");
            }
        }
        boolean members = value == ValueFormat.SET || value == ValueFormat.SORTED_SET;
        if (members) {
            if (member == null || member.isBlank()) {
                throw InvalidFieldException.missing("member", "id");
            }
            if (value == ValueFormat.SORTED_SET && (score == null || score.isBlank())) {
                throw InvalidFieldException.missing("score", "placed_at");
            }
            if (cap != null && (value != ValueFormat.SORTED_SET || cap < 1)) {
                throw new InvalidFieldException("cap", value != ValueFormat.SORTED_SET
                        ? "found a cap for a set, expected value: sorted-set (a cap keeps the highest scores)"
                        : "found " + cap + ", expected how many members the key keeps at most, at least 1, e.g. 10");
            }
            if (value == ValueFormat.SET && score != null) {
                throw new InvalidFieldException("score", "found a score for a set, expected value: sorted-set (or no"
                        + " score)");
            }
            if (!columns.isEmpty() || !fields.isEmpty()) {
                throw new InvalidFieldException(columns.isEmpty() ? "fields" : "columns", "found them for a "
                        + value.wireName() + " value, expected member" + (score == null ? "" : " and score")
                        + " (each row is one member)");
            }
            if (ttl != null || ttlColumn != null) {
                throw new InvalidFieldException(ttl != null ? "ttl" : "ttl-column", "found a TTL for a "
                        + value.wireName() + " value, whose key holds the members of many rows; expected none");
            }
        } else if (member != null || score != null || cap != null) {
            throw new InvalidFieldException(member != null ? "member" : score != null ? "score" : "cap", "found it for a "
                    + value.wireName() + " value, expected value: " + (member != null ? "set or value: " : "")
                    + "sorted-set");
        }
        if (valueOf != null) {
            String of = valueOf;
            JoinConfig named = join.stream().filter(j -> j.as().equals(of)).findFirst().orElseThrow(() ->
                    new InvalidFieldException("value-of", "found '" + of + "', expected the as of one of the family's"
                            + " joins, e.g. value-of: orders with join: [{..., as: orders, many: true}]"));
            if (named.flatten()) {
                throw new InvalidFieldException("value-of", "found the flattened join '" + of + "', expected a join"
                        + " whose rows are the value");
            }
            if (!columns.isEmpty() || !fields.isEmpty() || value != ValueFormat.JSON) {
                throw new InvalidFieldException(value != ValueFormat.JSON ? "value" : columns.isEmpty() ? "fields"
                        : "columns", "found it with value-of, whose value is the joined rows alone; expected none");
            }
        }
        if (!join.isEmpty() && value != ValueFormat.JSON) {
            throw new InvalidFieldException("value", "found " + value.wireName() + " with a join, expected json"
                    + " (joined rows are nested in a JSON value)");
        }
    }

    /** The same family written under other keys, e.g. the next key version. */
    public FamilyConfig withKeys(List<KeyTemplate> keys) {
        return new FamilyConfig(name, table, keys, where, value, columns, fields, ttl, ttlColumn, ttlJitter, fencing,
                tombstoneTtl, join, member, score, cap, valueOf);
    }

    /**
     * The family resolved: its key templates, filter, value shape, expiry and fencing. {@link WarmerConfig} does this
     * once per family; take {@link WarmerConfig#keyFamily} rather than resolving again.
     *
     * @throws InvalidFieldException naming the field, e.g. {@code ttl-jitter} or {@code where.tier}
     */
    public KeyFamily toKeyFamily() {
        Duration fixedTtl = fixedTtl(ttl);
        RowExpression computedTtl = null;
        if (ttl != null && fixedTtl == null) {
            try {
                computedTtl = RowExpression.compile(ttl, "ttl");
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException("ttl", "found '" + ttl + "', which is neither a duration such as"
                        + " 500ms, 30s, 15m, 1h, 2d or PT1H nor an expression (" + e.getMessage() + ")");
            }
        }
        Expiry expiry = ttl == null && ttlColumn == null ? Expiry.NONE
                : new Expiry(fixedTtl, ttlColumn, ttlJitter == null ? 0 : jitterFraction(ttlJitter), computedTtl);
        ValueShape shape;
        try {
            shape = valueShape();
        } catch (InvalidFieldException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("fields", e.getMessage());
        }
        return new KeyFamily(name, table, key, rowFilter(where), shape, expiry, new Fencing(fencing, tombstoneTtl),
                join.stream().map(JoinConfig::toJoin).toList());
    }

    /**
     * The TTL when it is a duration ({@code 1h}, {@code PT90M}); null when there is none or it is an expression.
     *
     * @throws InvalidFieldException for a duration that does not parse
     */
    public static Duration fixedTtl(String ttl) {
        if (ttl == null || !DURATION_LIKE.matcher(ttl.trim()).matches()) {
            return null;
        }
        try {
            return Durations.parse(ttl);
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("ttl", e.getMessage() + ", or an expression such as"
                    + " \"tier == 'pro' ? duration('24h') : duration('1h')\"");
        }
    }

    /** What a duration looks like (a number with a unit, or ISO-8601); anything else is an expression. */
    private static final java.util.regex.Pattern DURATION_LIKE = java.util.regex.Pattern.compile(
            "\\d+\\s*[A-Za-z]+|P[0-9A-Za-z.]*");

    private static RowExpression compiled(String text, String field) {
        try {
            return RowExpression.compile(text, field);
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException(field, e.getMessage());
        }
    }

    /** The family's expressions with the field each is written in: what the schema check types. */
    public Map<String, Map.Entry<RowExpression, RowExpression.Use>> expressions(KeyFamily resolved) {
        Map<String, Map.Entry<RowExpression, RowExpression.Use>> all = new LinkedHashMap<>();
        for (int i = 0; i < resolved.keys().size(); i++) {
            for (RowExpression e : resolved.keys().get(i).expressions()) {
                all.put("key[" + i + "] ${" + e.text() + "}", Map.entry(e, RowExpression.Use.KEY));
            }
        }
        resolved.where().expression().ifPresent(e -> all.put("where", Map.entry(e, RowExpression.Use.CONDITION)));
        if (resolved.value() instanceof ValueShape.Json json) {
            json.computed().forEach((field, e) -> all.put("fields." + field, Map.entry(e, RowExpression.Use.VALUE)));
        }
        if (resolved.value() instanceof ValueShape.Members members) {
            if (members.member().column().isEmpty()) {
                all.put("member", Map.entry(members.member(), RowExpression.Use.KEY));
            }
            if (members.score() != null && members.score().column().isEmpty()) {
                all.put("score", Map.entry(members.score(), RowExpression.Use.SCORE));
            }
        }
        if (resolved.expiry().expression() != null) {
            all.put("ttl", Map.entry(resolved.expiry().expression(), RowExpression.Use.TTL));
        }
        return all;
    }

    /**
     * Per table, the columns this family reads there: its own table's and each joined table's.
     *
     * @param resolved this family's {@link #toKeyFamily()}
     */
    /** The tables joined into the value, at either level. */
    public List<TableId> joinedTables() {
        return join.stream().flatMap(j -> j.toJoin().tables()).distinct().toList();
    }

    Map<TableId, Set<String>> requiredColumns(KeyFamily resolved) {
        Map<TableId, Set<String>> required = new LinkedHashMap<>();
        required.computeIfAbsent(table, t -> new java.util.LinkedHashSet<>()).addAll(resolved.usedColumns());
        join.forEach(j -> requireJoined(required, j.toJoin()));
        return required;
    }

    /** What a join reads of its table: the columns it finds rows by and shows, and what its own joins find rows by. */
    private static void requireJoined(Map<TableId, Set<String>> required, io.warmer.family.Join join) {
        Set<String> joined = required.computeIfAbsent(join.table(), t -> new java.util.LinkedHashSet<>());
        joined.addAll(join.joinedKeyColumns());
        join.columns().stream().filter(c -> !join.nestedFields().contains(c)).forEach(joined::add);
        for (io.warmer.family.Join nested : join.joins()) {
            joined.addAll(nested.mainColumns());
            requireJoined(required, nested);
        }
    }

    private ValueShape valueShape() {
        if (value == ValueFormat.SET || value == ValueFormat.SORTED_SET) {
            return new ValueShape.Members(compiled(member, "member"), score == null ? null : compiled(score, "score"),
                    cap == null ? 0 : cap);
        }
        if (value == ValueFormat.STRING) {
            return new ValueShape.Text(columns.get(0));
        }
        if (value == ValueFormat.HASH) {
            return new ValueShape.Hash(columns);
        }
        if (valueOf != null) {
            return new ValueShape.Joined(valueOf);
        }
        Map<String, String> named = new LinkedHashMap<>(fields);
        columns.forEach(c -> named.put(c, c));
        if (named.isEmpty()) {
            return ValueShape.Json.wholeRow(); // joined fields are part of the whole row
        }
        join.forEach(j -> j.toJoin().fields().forEach(f -> named.put(f, f)));
        return new ValueShape.Json(named);
    }

    private static RowFilter rowFilter(Object where) {
        if (where instanceof String expression) {
            return new RowFilter(Map.of(), compiled(expression, "where"));
        }
        Map<String, List<String>> allowed = new LinkedHashMap<>();
        for (var condition : ((Map<?, ?>) where).entrySet()) {
            List<String> values = new ArrayList<>();
            Object v = condition.getValue();
            for (Object item : v instanceof List<?> list ? list : java.util.Collections.singletonList(v)) {
                if (item instanceof Map<?, ?> || item instanceof List<?>) {
                    throw new InvalidFieldException("where." + condition.getKey(), "found " + item
                            + ", expected a value or a list of values, e.g. status: active or tier: [pro, team]");
                }
                values.add(item == null ? null : String.valueOf(item));
            }
            allowed.put(String.valueOf(condition.getKey()), values);
        }
        return new RowFilter(allowed);
    }

    private static double jitterFraction(String text) {
        String t = text.trim();
        try {
            double share = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
            if (share >= 0 && share < 1) {
                return share;
            }
        } catch (NumberFormatException e) {
            // reported below, with what is accepted
        }
        throw new InvalidFieldException("ttl-jitter", "found '" + text + "', expected a share below 100% such as 10%");
    }
}
