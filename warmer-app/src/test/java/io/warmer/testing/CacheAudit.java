package io.warmer.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The database against Redis, with none of Warmer's code: the test builds what each key should hold from the
 * database (with PostgreSQL's own JSON functions), and this compares it with what Redis holds, value by value
 * (numbers exactly, with their scale; timestamps as instants; objects by field), and looks for keys no row accounts
 * for under the families' patterns.
 */
public final class CacheAudit {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();
    private static final int EXAMPLES = 5;

    private CacheAudit() {
    }

    /** What the audit found; examples of each kind of difference. */
    public record Result(long expected, long missing, long stale, long extra, List<String> examples) {
        public boolean exact() {
            return missing == 0 && stale == 0 && extra == 0;
        }

        @Override
        public String toString() {
            return String.format("%,d keys expected: %,d missing, %,d stale, %,d extra; e.g. %s", expected, missing,
                    stale, extra, examples);
        }
    }

    /**
     * @param expected every key that must exist, with the JSON it must hold
     * @param patterns glob patterns under which no key but the expected ones may exist
     */
    public static Result compare(RedisCommands<String, String> redis, Map<String, String> expected,
                                 List<String> patterns) {
        long missing = 0;
        long stale = 0;
        List<String> examples = new ArrayList<>();
        for (var entry : expected.entrySet()) {
            String cached = redis.get(entry.getKey());
            if (cached == null) {
                missing++;
                note(examples, "missing " + entry.getKey());
            } else if (!normalize(parse(cached)).equals(normalize(parse(entry.getValue())))) {
                stale++;
                note(examples, entry.getKey() + " holds " + cached + ", the database says " + entry.getValue());
            }
        }
        long extra = 0;
        Set<String> seen = new HashSet<>();
        for (String pattern : patterns) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1_000));
                for (String key : page.getKeys()) {
                    if (!expected.containsKey(key) && seen.add(key)) {
                        extra++;
                        note(examples, "extra " + key + " = " + redis.get(key));
                    }
                }
                cursor = page;
            } while (!cursor.isFinished());
        }
        return new Result(expected.size(), missing, stale, extra, examples);
    }

    private static void note(List<String> examples, String example) {
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

    /** Objects as sorted maps, numbers as exact decimals, timestamps as UTC instants. */
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
