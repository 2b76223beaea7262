package io.warmer.demo;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.warmer.redis.RedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** The cache as production had it before the rename: {@code user:{id}:profile|preferences|settings}. */
final class OldKeyspace {

    static final List<String> SUFFIXES = List.of("profile", "preferences", "settings");
    private static final int BATCH = 5_000;

    private OldKeyspace() {
    }

    static void fill(RedisConnection<String, String> connection, int users) {
        connection.stateful().setAutoFlushCommands(false);
        try {
            var redis = connection.async();
            List<RedisFuture<?>> pending = new ArrayList<>(BATCH);
            for (int id = 1; id <= users; id++) {
                for (String suffix : SUFFIXES) {
                    pending.add(redis.set("user:" + id + ":" + suffix, "{\"id\":" + id + ",\"format\":\"v1\"}"));
                }
                if (pending.size() >= BATCH) {
                    flush(connection, pending);
                }
            }
            flush(connection, pending);
        } finally {
            connection.stateful().setAutoFlushCommands(true);
        }
    }

    /** Reads production makes of the old keys just before the deploy: one random key of each user. */
    static List<String> recordedReads(List<Long> users) {
        Random random = new Random();
        return users.stream().map(id -> "user:" + id + ":" + SUFFIXES.get(random.nextInt(SUFFIXES.size()))).toList();
    }

    private static void flush(RedisConnection<String, String> connection, List<RedisFuture<?>> pending) {
        connection.stateful().flushCommands();
        if (!LettuceFutures.awaitAll(30, TimeUnit.SECONDS, pending.toArray(new RedisFuture<?>[0]))) {
            throw new IllegalStateException("the demo's Redis did not take the old keys within 30 s");
        }
        pending.clear();
    }
}
