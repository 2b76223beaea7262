package io.warmer.bench;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** What the benchmark reads from Redis to judge a workload: counts, a digest of sampled keys, command counts. */
final class RedisProbe {

    private final RedisCommands<String, String> redis;

    RedisProbe(RedisCommands<String, String> redis) {
        this.redis = redis;
    }

    long dbsize() {
        return redis.dbsize();
    }

    /** The exact number of keys matching {@code glob} (a full SCAN; seconds at millions of keys). */
    long count(String glob) {
        long count = 0;
        ScanArgs args = ScanArgs.Builder.matches(glob).limit(10_000);
        KeyScanCursor<String> cursor = redis.scan(args);
        while (true) {
            count += cursor.getKeys().size();
            if (cursor.isFinished()) {
                return count;
            }
            cursor = redis.scan(ScanCursor.of(cursor.getCursor()), args);
        }
    }

    /** SHA-256 over each key's value (absent: a marker), in order: equal digests, equal values. */
    String digest(List<String> keys) {
        MessageDigest sha = sha256();
        for (int i = 0; i < keys.size(); i += 1_000) {
            List<String> batch = keys.subList(i, Math.min(keys.size(), i + 1_000));
            for (var value : redis.mget(batch.toArray(String[]::new))) {
                sha.update((value.hasValue() ? value.getValue() : "\u0000absent").getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** How often Redis has run {@code command} (scripts' calls included), from INFO commandstats. */
    long calls(String command) {
        String prefix = "cmdstat_" + command + ":calls=";
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length(), line.indexOf(',', prefix.length())));
            }
        }
        return 0;
    }

    /** The average length of the values of {@code keys} that exist. */
    double averageValueBytes(List<String> keys) {
        long total = 0;
        long n = 0;
        for (String key : keys) {
            long length = redis.strlen(key);
            if (length > 0) {
                total += length;
                n++;
            }
        }
        return n == 0 ? 0 : (double) total / n;
    }

    /** Empties Redis between workloads, so that each starts from the same state and memory stays bounded. */
    void flushAll() {
        redis.flushall();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM has no SHA-256", e);
        }
    }
}
