package io.warmer.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.KeyValue;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads users through the new key format exactly as the new application code would, and compares
 * every value with the database, the truth. A read is a hit when all of the user's keys are there;
 * it is stale when any of them differs from the row.
 */
final class CutoverCheck {

    /** The keys the new application reads for one user, and the rows they must equal. */
    private static final List<Family> FAMILIES = List.of(
            new Family("v2:user:%d:profile", "SELECT id, name, email, tier FROM users WHERE id = ANY(?)", "id"),
            new Family("v2:user:%d:preferences",
                    "SELECT user_id, theme, language, notifications FROM user_preferences WHERE user_id = ANY(?)", "user_id"),
            new Family("v2:user:%d:settings",
                    "SELECT user_id, timezone, newsletter, two_factor FROM user_settings WHERE user_id = ANY(?)", "user_id"));

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Family(String keyFormat, String sql, String idColumn) {
    }

    record Result(int reads, int hits, int stale, List<String> examples) {
        double hitRate() {
            return reads == 0 ? 0 : (double) hits / reads;
        }
    }

    private CutoverCheck() {
    }

    static Result run(Connection db, RedisClusterCommands<String, String> redis, int sample, Collection<Long> deletedIds)
            throws SQLException {
        List<Long> ids = DemoDatabase.randomUsers(db, sample);
        int hits = 0;
        int stale = 0;
        List<String> examples = new ArrayList<>();
        Map<Family, Map<Long, Map<String, Object>>> rows = new HashMap<>();
        Map<Family, Map<String, String>> cached = new HashMap<>();
        for (Family family : FAMILIES) {
            rows.put(family, rowsById(db, family, ids));
            cached.put(family, read(redis, family, ids));
        }
        for (long id : ids) {
            boolean hit = true;
            boolean fresh = true;
            for (Family family : FAMILIES) {
                String key = family.keyFormat().formatted(id);
                String value = cached.get(family).get(key);
                Map<String, Object> row = rows.get(family).get(id);
                if (value == null) {
                    hit = false;
                } else if (row == null || !sameAsRow(value, row)) {
                    fresh = false;
                    if (examples.size() < 5) {
                        examples.add(key + " = " + value + " but the database has " + row);
                    }
                }
            }
            hits += hit ? 1 : 0;
            stale += fresh ? 0 : 1;
        }
        // A deleted user must not be served from the new keys either.
        for (long id : deletedIds) {
            String key = FAMILIES.get(0).keyFormat().formatted(id);
            if (redis.exists(key) > 0) {
                stale++;
                if (examples.size() < 5) {
                    examples.add(key + " is still cached although user " + id + " was deleted");
                }
            }
        }
        return new Result(ids.size(), hits, stale, examples);
    }

    private static Map<Long, Map<String, Object>> rowsById(Connection db, Family family, List<Long> ids)
            throws SQLException {
        Map<Long, Map<String, Object>> rows = new HashMap<>();
        try (PreparedStatement st = db.prepareStatement(family.sql())) {
            st.setArray(1, db.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int c = 1; c <= meta.getColumnCount(); c++) {
                        row.put(meta.getColumnName(c), rs.getObject(c));
                    }
                    rows.put(rs.getLong(family.idColumn()), row);
                }
            }
        }
        return rows;
    }

    private static Map<String, String> read(RedisClusterCommands<String, String> redis, Family family, List<Long> ids) {
        Map<String, String> values = new HashMap<>();
        int batch = 500;
        for (int from = 0; from < ids.size(); from += batch) {
            String[] keys = ids.subList(from, Math.min(ids.size(), from + batch)).stream()
                    .map(id -> family.keyFormat().formatted(id)).toArray(String[]::new);
            for (KeyValue<String, String> kv : redis.mget(keys)) {
                if (kv.hasValue()) {
                    values.put(kv.getKey(), kv.getValue());
                }
            }
        }
        return values;
    }

    private static boolean sameAsRow(String cachedJson, Map<String, Object> row) {
        JsonNode cached;
        try {
            cached = JSON.readTree(cachedJson);
        } catch (JsonProcessingException e) {
            return false;
        }
        for (var column : row.entrySet()) {
            JsonNode value = cached.get(column.getKey());
            Object expected = column.getValue();
            boolean same;
            if (value == null) {
                same = false;
            } else if (expected == null) {
                same = value.isNull();
            } else if (expected instanceof Boolean b) {
                same = value.isBoolean() && value.booleanValue() == b;
            } else if (expected instanceof Number n) {
                same = value.isNumber() && value.longValue() == n.longValue();
            } else {
                same = value.isTextual() && value.textValue().equals(expected.toString());
            }
            if (!same) {
                return false;
            }
        }
        return true;
    }
}
