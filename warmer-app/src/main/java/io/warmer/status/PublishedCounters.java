package io.warmer.status;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.warmer.sink.SinkCounters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sink's per-family counters, kept in one Redis hash per application so that `warmer status`,
 * run anywhere, can read them: every materializer process adds what it counted since its last
 * publication, so the totals cover all processes of a scaled-out deployment and survive
 * restarts. The hash tag keeps the key in one slot of a Redis Cluster.
 */
public final class PublishedCounters {

    private static final String PUTS = ":puts";
    private static final String DELETES = ":deletes";
    private static final String FENCED = ":fenced";
    private static final String BROKEN = ":broken";

    private PublishedCounters() {
    }

    public static String keyOf(String applicationId) {
        return "warmer:status:{" + applicationId + "}";
    }

    /** Every increment in one script: applied all together or not at all, so a retry never counts twice. */
    private static final String ADD_ALL = "for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end";

    /** Adds {@code now − before} per family, atomically. */
    static void add(RedisClusterCommands<String, String> redis, String key, Map<String, SinkCounters.Counts> before,
                    Map<String, SinkCounters.Counts> now) {
        List<String> increments = new ArrayList<>();
        now.forEach((family, counts) -> {
            SinkCounters.Counts old = before.getOrDefault(family, new SinkCounters.Counts(0, 0, 0));
            increment(increments, family + PUTS, counts.puts() - old.puts());
            increment(increments, family + DELETES, counts.deletes() - old.deletes());
            increment(increments, family + FENCED, counts.fenced() - old.fenced());
        });
        if (!increments.isEmpty()) {
            redis.eval(ADD_ALL, ScriptOutputType.STATUS, new String[] {key}, increments.toArray(String[]::new));
        }
    }

    private static void increment(List<String> increments, String field, long by) {
        if (by != 0) {
            increments.add(field);
            increments.add(Long.toString(by));
        }
    }

    /**
     * Why families are broken ({@link SinkCounters#broken}), set again with every publication, so that one process
     * clearing them at its start (see {@link #clearBroken}) is corrected within a second by another that still sees it.
     */
    static void broken(RedisClusterCommands<String, String> redis, String key, Map<String, String> broken) {
        if (!broken.isEmpty()) {
            Map<String, String> fields = new HashMap<>();
            broken.forEach((family, reason) -> fields.put(family + BROKEN, reason));
            redis.hset(key, fields);
        }
    }

    /** Forgets that these families were broken: a process starting with its configuration fixed. */
    static void clearBroken(RedisClusterCommands<String, String> redis, String key, List<String> families) {
        if (!families.isEmpty()) {
            redis.hdel(key, families.stream().map(f -> f + BROKEN).toArray(String[]::new));
        }
    }

    /** Why each family a process found broken is broken, as published. */
    public static Map<String, String> readBroken(RedisClusterCommands<String, String> redis, String key) {
        Map<String, String> broken = new HashMap<>();
        redis.hgetall(key).forEach((field, value) -> {
            if (field.endsWith(BROKEN)) {
                broken.put(field.substring(0, field.length() - BROKEN.length()), value);
            }
        });
        return broken;
    }

    /** Per family, the totals every process has published; families never published are absent. */
    public static Map<String, SinkCounters.Counts> read(RedisClusterCommands<String, String> redis, String key) {
        Map<String, long[]> totals = new HashMap<>();
        redis.hgetall(key).forEach((field, value) -> {
            int colon = field.lastIndexOf(':');
            if (colon < 0) {
                return;
            }
            long[] counts = totals.computeIfAbsent(field.substring(0, colon), f -> new long[3]);
            String kind = field.substring(colon);
            int slot = kind.equals(PUTS) ? 0 : kind.equals(DELETES) ? 1 : kind.equals(FENCED) ? 2 : -1;
            if (slot >= 0) {
                counts[slot] = Long.parseLong(value);
            }
        });
        Map<String, SinkCounters.Counts> counts = new HashMap<>();
        totals.forEach((family, c) -> counts.put(family, new SinkCounters.Counts(c[0], c[1], c[2])));
        return counts;
    }
}
