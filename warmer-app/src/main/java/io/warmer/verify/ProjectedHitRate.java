package io.warmer.verify;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.warmer.family.KeyFamily;
import io.warmer.family.KeyTemplate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The hit rate the new code would see right now: each recorded application read of an old-format
 * key is mapped, through a family whose first key is the new format and whose other keys are legacy
 * formats, to the new key, which either exists in Redis or does not.
 */
public final class ProjectedHitRate {

    /** A `redis-cli MONITOR` line: {@code 1700000000.123 [0 127.0.0.1:5000] "GET" "user:42:profile"}. */
    private static final Pattern MONITOR_GET = Pattern.compile("\"(?i:get|hgetall|hget|exists|ttl)\" \"((?:[^\"\\\\]|\\\\.)*)\"");

    public record Result(long reads, long mapped, long hits, List<String> missedExamples) {
        @JsonProperty
        public double hitRate() {
            return mapped == 0 ? 0 : (double) hits / mapped;
        }

        /** As the commands print it: the summary line, then one line per missed example. */
        public String describe() {
            String summary = String.format("projected hit rate: %.2f%% (%,d of %,d mapped reads would hit; %,d of %,d"
                    + " reads matched no legacy key)", 100 * hitRate(), hits, mapped, reads - mapped, reads);
            return summary + missedExamples.stream().map(k -> System.lineSeparator() + "  miss: " + k)
                    .collect(Collectors.joining());
        }
    }

    private ProjectedHitRate() {
    }

    /** @param reads lines of old-format keys, plain or as `redis-cli MONITOR` prints them */
    public static Result measure(List<KeyFamily> families, List<String> reads, RedisClusterCommands<String, String> redis) {
        long mapped = 0;
        long hits = 0;
        long total = 0;
        List<String> missed = new java.util.ArrayList<>();
        for (String line : reads) {
            Optional<String> key = keyOf(line);
            if (key.isEmpty()) {
                continue;
            }
            total++;
            Optional<String> newKey = newKeyOf(families, key.get());
            if (newKey.isEmpty()) {
                continue;
            }
            mapped++;
            if (redis.exists(newKey.get()) > 0) {
                hits++;
            } else if (missed.size() < CacheVerifier.EXAMPLES) {
                missed.add(key.get() + " -> " + newKey.get());
            }
        }
        return new Result(total, mapped, hits, missed);
    }

    static Optional<String> keyOf(String line) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.equals("OK")) {
            return Optional.empty();
        }
        if (trimmed.contains("\"")) {
            Matcher m = MONITOR_GET.matcher(trimmed);
            return m.find() ? Optional.of(m.group(1).replace("\\\"", "\"")) : Optional.empty();
        }
        return Optional.of(trimmed);
    }

    private static Optional<String> newKeyOf(List<KeyFamily> families, String oldKey) {
        for (KeyFamily family : families) {
            List<KeyTemplate> keys = family.keys();
            for (KeyTemplate legacy : keys.subList(1, keys.size())) {
                Optional<Map<String, String>> values = legacy.match(oldKey);
                if (values.isPresent()) {
                    ObjectNode row = JsonNodeFactory.instance.objectNode();
                    values.get().forEach(row::put);
                    Optional<String> current = keys.get(0).tryRender(row);
                    if (current.isPresent()) {
                        return current;
                    }
                }
            }
        }
        return Optional.empty();
    }
}
