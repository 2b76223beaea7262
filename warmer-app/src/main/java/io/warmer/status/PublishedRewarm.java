package io.warmer.status;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * Where the process that rebuilds the cache after a loss of Redis data (io.warmer.rewarm) claims the rebuild and
 * publishes its progress, for the other processes and {@code warmer status}; and where it marks the rebuild done.
 */
public final class PublishedRewarm {

    private PublishedRewarm() {
    }

    /** Holds the progress, in words, while a process rebuilds; expires when that process dies. */
    public static String claimKey(String applicationId) {
        return "warmer:rewarm:{" + applicationId + "}";
    }

    /**
     * When a loss was last noticed, in epoch milliseconds, kept (no TTL) until a rebuild ends after it: a process
     * killed in the middle of a rebuild leaves it, and the next start finishes the rebuild.
     */
    public static String noticedKey(String applicationId) {
        return "warmer:rewarm:{" + applicationId + "}:noticed";
    }

    /** When the last rebuild ended, in epoch milliseconds. */
    public static String doneKey(String applicationId) {
        return "warmer:rewarm:{" + applicationId + "}:done";
    }

    /** @return the progress of a rebuild under way, or null when none is */
    public static String read(RedisClusterCommands<String, String> redis, String applicationId) {
        return redis.get(claimKey(applicationId));
    }
}
