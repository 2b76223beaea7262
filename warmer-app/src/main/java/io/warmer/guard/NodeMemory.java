package io.warmer.guard;

import io.warmer.redis.InfoFields;
import io.warmer.redis.RedisConnection;
import io.warmer.sink.CacheWriteException;
import java.util.List;
import java.util.Locale;

/**
 * One master Redis node's memory at one moment, from {@code INFO memory} and {@code INFO stats}.
 *
 * @param address     host:port, for messages (never a password)
 * @param usedMemory  {@code used_memory}: bytes Redis has allocated, what {@code maxmemory} is compared with
 * @param maxMemory   {@code maxmemory}; 0 means no limit
 * @param policy      {@code maxmemory_policy}, e.g. {@code allkeys-lru} or {@code noeviction}
 * @param evictedKeys {@code evicted_keys}: keys removed to stay under {@code maxmemory} since the last restart (or
 *                    {@code CONFIG RESETSTAT})
 */
public record NodeMemory(String address, long usedMemory, long maxMemory, String policy, long evictedKeys) {

    /**
     * @throws IllegalStateException naming the node and the missing field, e.g. behind a proxy that hides INFO
     */
    public static NodeMemory parse(String address, String memoryInfo, String statsInfo) {
        return new NodeMemory(address, number(address, memoryInfo, "used_memory"),
                number(address, memoryInfo, "maxmemory"), field(address, memoryInfo, "maxmemory_policy"),
                number(address, statsInfo, "evicted_keys"));
    }

    /**
     * Memory and evictions of every master now: the one server, or each master of a cluster, where {@code maxmemory}
     * and evictions are per node.
     *
     * @throws CacheWriteException naming the node and the field when Redis hides what is read from INFO
     */
    public static List<NodeMemory> ofMasters(RedisConnection<String, String> redis) {
        try {
            return redis.masters().stream()
                    .map(node -> parse(node.address(), node.sync().info("memory"), node.sync().info("stats")))
                    .toList();
        } catch (IllegalStateException e) {
            throw new CacheWriteException(e.getMessage(), e);
        }
    }

    /** Whether {@code maxmemory} is set. */
    public boolean limited() {
        return maxMemory > 0;
    }

    /** Bytes left under {@code maxmemory}; {@link Long#MAX_VALUE} without a limit. */
    public long free() {
        return limited() ? Math.max(0, maxMemory - usedMemory) : Long.MAX_VALUE;
    }

    /** Whether the policy removes keys when memory is full ({@code allkeys-*}, {@code volatile-*}). */
    public boolean policyEvicts() {
        return policy.startsWith("allkeys-") || policy.startsWith("volatile-");
    }

    /** E.g. "used_memory 7.9 MiB of maxmemory 8.0 MiB, policy allkeys-lru". */
    public String describe() {
        return "used_memory " + Bytes.format(usedMemory) + (limited() ? " of maxmemory " + Bytes.format(maxMemory)
                : ", no maxmemory") + ", policy " + policy;
    }

    private static long number(String address, String info, String name) {
        String text = field(address, info, name);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Redis at " + address + " answered INFO with " + name + ":" + text
                    + ", expected a whole number", e);
        }
    }

    private static String field(String address, String info, String name) {
        return InfoFields.field(info, name).map(value -> value.toLowerCase(Locale.ROOT))
                .orElseThrow(() -> new IllegalStateException("Redis at " + address + " answered INFO without " + name
                        + "; the eviction guard needs INFO memory and INFO stats (a proxy may hide them): allow INFO,"
                        + " or set redis.eviction-guard: off"));
    }
}
