package io.warmer.bench;

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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The shop's database against Redis with none of Warmer's code, a million rows at a time: what every key should
 * hold comes from PostgreSQL's own JSON functions and is compared with Redis value by value (numbers exactly, with
 * their scale; timestamps as instants; objects by field); then every key under the families' patterns must belong
 * to a row.
 */
final class ShopAudit {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();
    private static final int BATCH = 1_000;

    record Result(long keys, long missing, long stale, long extra, List<String> examples) {
    }

    private long keys;
    private long missing;
    private long stale;
    private final List<String> examples = new ArrayList<>();

    static Result run(Connection db, RedisCommands<String, String> redis, String prefix) throws SQLException {
        ShopAudit audit = new ShopAudit();
        Set<Long> customers = new HashSet<>();
        Set<Long> orders = new HashSet<>();
        audit.compare(db, redis, "SELECT id, to_jsonb(c)::text FROM customers c", List.of(prefix + ":v2:customer:%d",
                prefix + ":customer:%d"), customers);
        audit.compare(db, redis, "SELECT c.id, json_build_object('id', c.id, 'name', c.name, 'orders',"
                + " COALESCE((SELECT json_agg(json_build_object('id', o.id, 'total', o.total, 'status', o.status)"
                + " ORDER BY o.id) FROM orders o WHERE o.customer_id = c.id), '[]'::json))::text FROM customers c",
                List.of(prefix + ":v2:customer:%d:orders"), null);
        audit.compare(db, redis, "SELECT id, to_jsonb(o)::text FROM orders o", List.of(prefix + ":v2:order:%d"), orders);
        long extra = 0;
        extra += audit.extra(redis, prefix + ":customer:", customers);
        extra += audit.extra(redis, prefix + ":v2:customer:", customers);
        extra += audit.extra(redis, prefix + ":v2:order:", orders);
        return new Result(audit.keys, audit.missing, audit.stale, extra, audit.examples);
    }

    private void compare(Connection db, RedisCommands<String, String> redis, String sql, List<String> keyFormats,
                         Set<Long> ids) throws SQLException {
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false); // a cursor, not the whole table in memory
        try (Statement st = db.createStatement()) {
            st.setFetchSize(5_000);
            try (ResultSet rs = st.executeQuery(sql)) {
                List<String> batchKeys = new ArrayList<>();
                List<String> batchValues = new ArrayList<>();
                while (rs.next()) {
                    long id = rs.getLong(1);
                    if (ids != null) {
                        ids.add(id);
                    }
                    for (String format : keyFormats) {
                        batchKeys.add(String.format(format, id));
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

    private void check(RedisCommands<String, String> redis, List<String> keysToCheck, List<String> values) {
        if (keysToCheck.isEmpty()) {
            return;
        }
        List<KeyValue<String, String>> cached = redis.mget(keysToCheck.toArray(String[]::new));
        for (int i = 0; i < keysToCheck.size(); i++) {
            keys++;
            KeyValue<String, String> entry = cached.get(i);
            if (!entry.hasValue()) {
                missing++;
                note("missing " + keysToCheck.get(i));
            } else if (!normalize(parse(entry.getValue())).equals(normalize(parse(values.get(i))))) {
                stale++;
                note(keysToCheck.get(i) + " holds " + entry.getValue() + ", the database says " + values.get(i));
            }
        }
        keysToCheck.clear();
        values.clear();
    }

    /** Keys {@code <start><id><anything>} whose id is not a row's. */
    private long extra(RedisCommands<String, String> redis, String start, Set<Long> ids) {
        long extra = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(start + "*").limit(BATCH));
            for (String key : page.getKeys()) {
                String rest = key.substring(start.length());
                int end = 0;
                while (end < rest.length() && Character.isDigit(rest.charAt(end))) {
                    end++;
                }
                if (end == 0 || !ids.contains(Long.parseLong(rest.substring(0, end)))) {
                    extra++;
                    note("extra " + key);
                }
            }
            cursor = page;
        } while (!cursor.isFinished());
        return extra;
    }

    private void note(String example) {
        if (examples.size() < 5) {
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

    /** Objects as sorted maps, numbers as exact decimals, timestamps as UTC instants. */
    private static JsonNode normalize(JsonNode node) {
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
            return JsonNodeFactory.withExactBigDecimals(true).numberNode(node.decimalValue());
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
