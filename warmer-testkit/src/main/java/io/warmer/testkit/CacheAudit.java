package io.warmer.testkit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The database against Redis, with none of Warmer's code: what each key should hold comes from the database (the
 * caller's queries, with PostgreSQL's own JSON functions), is compared with Redis value by value (numbers exactly,
 * with their scale; timestamps as instants; objects by field), and every key under the families' prefixes must
 * belong to a row. Streams through the tables, so a million rows need no more memory than their ids.
 */
public final class CacheAudit {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();
    private static final int BATCH = 1_000;
    private static final int EXAMPLES = 5;

    /**
     * @param ids        the name of the ids this query yields (its first column), for {@link KeySpace}
     * @param sql        rows of {@code (id, the JSON every key of the row must hold)}
     * @param keyFormats the row's keys, {@code %d} for its id; empty when the query yields the key itself, third
     */
    public record Query(String ids, String sql, List<String> keyFormats) {
        /** Rows of {@code (id, JSON, key)}: for keys made of other columns than the id. */
        public static Query keyed(String ids, String sql) {
            return new Query(ids, sql, List.of());
        }
    }

    /**
     * Keys {@code <prefix><id>…}: each must have an id of {@code ids}; with {@code ids} null, each must be a key a
     * query yielded.
     */
    public record KeySpace(String prefix, String ids) {
        public static KeySpace ofKeys(String prefix) {
            return new KeySpace(prefix, null);
        }
    }

    /**
     * Sets (or sorted sets) under keys {@code <prefix>…}: {@code sql} yields rows of {@code (key, member)}, or
     * {@code (key, member, score)} for a sorted set; every key under the prefix must be one of them, with exactly
     * those members (and scores). A capped sorted set ({@code cap} above 0) must show exactly its {@code cap}
     * highest-scored members (ties: the greater member's bytes, Redis's order) and keep the others in
     * {@code {<key>}:rest}, where the next one waits to take the place of one that leaves.
     */
    public record Members(String prefix, String sql, boolean sorted, int cap) {
        public Members(String prefix, String sql, boolean sorted) {
            this(prefix, sql, sorted, 0);
        }
    }

    public record Expectation(List<Query> queries, List<KeySpace> keySpaces, List<Members> members) {
        public Expectation(List<Query> queries, List<KeySpace> keySpaces) {
            this(queries, keySpaces, List.of());
        }
    }

    /** What the audit found; examples of each kind of difference. */
    public record Result(long keys, long missing, long stale, long extra, List<String> examples) {
        public boolean exact() {
            return missing == 0 && stale == 0 && extra == 0;
        }

        @Override
        public String toString() {
            return String.format("%,d keys compared: %,d missing, %,d stale, %,d extra; e.g. %s", keys, missing, stale,
                    extra, examples);
        }
    }

    private final Map<String, Set<Long>> ids = new HashMap<>();
    private final Set<String> keyed = new HashSet<>();
    private final List<String> examples = new ArrayList<>();
    private long keys;
    private long missing;
    private long stale;

    private CacheAudit() {
    }

    public static Result run(Connection db, RedisCommands<String, String> redis, Expectation expectation)
            throws SQLException {
        CacheAudit audit = new CacheAudit();
        for (Query query : expectation.queries()) {
            audit.compare(db, redis, query);
        }
        long extra = 0;
        for (KeySpace space : expectation.keySpaces()) {
            extra += audit.extra(redis, space);
        }
        for (Members members : expectation.members()) {
            extra += audit.compareMembers(db, redis, members);
        }
        return new Result(audit.keys, audit.missing, audit.stale, extra, audit.examples);
    }

    private void compare(Connection db, RedisCommands<String, String> redis, Query query) throws SQLException {
        Set<Long> found = ids.computeIfAbsent(query.ids(), n -> new HashSet<>());
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false); // a cursor, not the whole table in memory
        try (Statement st = db.createStatement()) {
            st.setFetchSize(5_000);
            try (ResultSet rs = st.executeQuery(query.sql())) {
                List<String> batchKeys = new ArrayList<>();
                List<String> batchValues = new ArrayList<>();
                while (rs.next()) {
                    long id = rs.getLong(1);
                    found.add(id);
                    for (String format : query.keyFormats()) {
                        batchKeys.add(String.format(format, id));
                        batchValues.add(rs.getString(2));
                    }
                    if (query.keyFormats().isEmpty()) {
                        keyed.add(rs.getString(3));
                        batchKeys.add(rs.getString(3));
                        batchValues.add(rs.getString(2));
                    }
                    if (batchKeys.size() >= BATCH) {
                        check(redis, batchKeys, batchValues);
                    }
                }
                check(redis, batchKeys, batchValues);
            }
        } finally {
            db.commit();
            db.setAutoCommit(autoCommit);
        }
    }

    private void check(RedisCommands<String, String> redis, List<String> batchKeys, List<String> values) {
        if (batchKeys.isEmpty()) {
            return;
        }
        List<KeyValue<String, String>> cached = redis.mget(batchKeys.toArray(String[]::new));
        for (int i = 0; i < batchKeys.size(); i++) {
            keys++;
            KeyValue<String, String> entry = cached.get(i);
            if (!entry.hasValue()) {
                missing++;
                note("missing " + batchKeys.get(i));
            } else if (!normalize(parse(entry.getValue())).equals(normalize(parse(values.get(i))))) {
                stale++;
                note(batchKeys.get(i) + " holds " + entry.getValue() + ", the database says " + values.get(i));
            }
        }
        batchKeys.clear();
        values.clear();
    }

    private long extra(RedisCommands<String, String> redis, KeySpace space) {
        Set<Long> known = space.ids() == null ? Set.of() : ids.getOrDefault(space.ids(), Set.of());
        long extra = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(space.prefix() + "*").limit(BATCH));
            for (String key : page.getKeys()) {
                if (space.ids() == null) {
                    if (!keyed.contains(key)) {
                        extra++;
                        note("extra " + key);
                    }
                    continue;
                }
                String rest = key.substring(space.prefix().length());
                int end = 0;
                while (end < rest.length() && Character.isDigit(rest.charAt(end))) {
                    end++;
                }
                if (end == 0 || !known.contains(Long.parseLong(rest.substring(0, end)))) {
                    extra++;
                    note("extra " + key);
                }
            }
            cursor = page;
        } while (!cursor.isFinished());
        return extra;
    }

    /** @return the members no row accounts for; missing and stale ones (a wrong score) are counted as such */
    private long compareMembers(Connection db, RedisCommands<String, String> redis, Members members) throws SQLException {
        Map<String, Map<String, Double>> expected = new HashMap<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(members.sql())) {
            while (rs.next()) {
                expected.computeIfAbsent(rs.getString(1), k -> new HashMap<>())
                        .put(rs.getString(2), members.sorted() ? rs.getDouble(3) : null);
            }
        }
        long extra = 0;
        for (var entry : expected.entrySet()) {
            if (members.cap() == 0) {
                extra += compareKey(redis, members, entry.getKey(), entry.getValue());
                continue;
            }
            Map<String, Double> scores = entry.getValue();
            java.util.Comparator<String> byScore = java.util.Comparator.comparing(scores::get);
            List<String> order = scores.keySet().stream()
                    .sorted(byScore.thenComparing(CacheAudit::compareBytes).reversed()).toList();
            Map<String, Double> shown = new HashMap<>();
            Map<String, Double> waiting = new HashMap<>();
            for (int i = 0; i < order.size(); i++) {
                (i < members.cap() ? shown : waiting).put(order.get(i), scores.get(order.get(i)));
            }
            extra += compareKey(redis, members, entry.getKey(), shown);
            extra += compareKey(redis, members, restKeyOf(entry.getKey()), waiting);
        }
        if (members.cap() > 0) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches("{" + members.prefix() + "*}:rest")
                        .limit(BATCH));
                for (String key : page.getKeys()) {
                    if (!expected.containsKey(key.substring(1, key.length() - "}:rest".length()))) {
                        extra++;
                        note("extra " + key);
                    }
                }
                cursor = page;
            } while (!cursor.isFinished());
        }
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(members.prefix() + "*").limit(BATCH));
            for (String key : page.getKeys()) {
                if (!expected.containsKey(key)) {
                    extra++;
                    note("extra " + key);
                }
            }
            cursor = page;
        } while (!cursor.isFinished());
        return extra;
    }

    /** The members of one key against those expected there; returns the extra ones. */
    private long compareKey(RedisCommands<String, String> redis, Members members, String key, Map<String, Double> expected) {
        Map<String, Double> cached = new HashMap<>();
        if (members.sorted()) {
            redis.zrangeWithScores(key, 0, -1).forEach(v -> cached.put(v.getValue(), v.getScore()));
        } else {
            redis.smembers(key).forEach(m -> cached.put(m, null));
        }
        long extra = 0;
        for (var member : expected.entrySet()) {
            keys++;
            if (!cached.containsKey(member.getKey())) {
                missing++;
                note("missing member " + member.getKey() + " of " + key);
            } else if (members.sorted() && !member.getValue().equals(cached.get(member.getKey()))) {
                stale++;
                note(key + " scores " + member.getKey() + " " + cached.get(member.getKey())
                        + ", the database says " + member.getValue());
            }
        }
        for (String member : cached.keySet()) {
            if (!expected.containsKey(member)) {
                extra++;
                note("extra member " + member + " of " + key);
            }
        }
        return extra;
    }

    /** Where a capped sorted set's key keeps the members beyond its cap (keys without a hash tag). */
    private static String restKeyOf(String key) {
        return "{" + key + "}:rest";
    }

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private void note(String example) {
        if (examples.size() < EXAMPLES) {
            examples.add(example);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            return JsonNodeFactory.instance.textNode("not JSON: " + json);
        }
    }

    /**
     * Objects as sorted maps, numbers as their exact digits and scale (as text: Jackson's DecimalNode.equals ignores
     * the scale), timestamps as UTC instants.
     */
    static JsonNode normalize(JsonNode node) {
        if (node.isObject()) {
            ObjectNode sorted = JsonNodeFactory.instance.objectNode();
            Map<String, JsonNode> fields = new TreeMap<>();
            node.fields().forEachRemaining(f -> fields.put(f.getKey(), normalize(f.getValue())));
            fields.forEach(sorted::set);
            return sorted;
        }
        if (node.isArray()) {
            ArrayNode items = JsonNodeFactory.instance.arrayNode();
            node.forEach(item -> items.add(normalize(item)));
            return items;
        }
        if (node.isNumber()) {
            return JsonNodeFactory.instance.textNode("number " + node.decimalValue().toPlainString());
        }
        if (node.isTextual() && node.textValue().length() >= 20 && node.textValue().charAt(10) == 'T') {
            try {
                return JsonNodeFactory.instance.textNode(OffsetDateTime.parse(node.textValue()).toInstant().toString());
            } catch (DateTimeParseException e) {
                return node;
            }
        }
        return node;
    }
}
