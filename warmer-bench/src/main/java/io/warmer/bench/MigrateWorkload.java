package io.warmer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * W5: {@code warmer migrate-keys} of N old-format keys ({@code session:<n>}, 300-byte values, 1 h TTL)
 * to {@code v2:session:<n>}, against the seed's approach on the same Redis in the same run: per key a GET
 * of the old key, a SET and an EXPIRE of the new one, each a round trip, one key after the other.
 */
final class MigrateWorkload {

    static final String FROM = "session:*";
    static final String TO = "v2:session:${1}";
    /** migrate-keys paces itself (--rate); the benchmark wants its speed, so the limit is out of reach. */
    static final String UNLIMITED_RATE = "100000000/s";
    private static final ObjectMapper JSON = new ObjectMapper();

    private MigrateWorkload() {
    }

    static void run(BenchServers servers, SuiteSettings settings, Results results) throws Exception {
        RedisProbe probe = new RedisProbe(servers.redisSync());
        probe.flushAll();
        long keys = settings.rows();
        fill(servers.redisConnection, keys);
        Path config = BenchConfig.write(settings.work(), "w5", servers, "warmer-bench-w5", BenchConfig.KEY_PREFIX);
        JsonNode report;
        try (WarmerJvm jvm = WarmerJvm.start("w5-migrate-keys", settings.warmerApp(), settings.work(),
                BenchConfig.environment(servers), List.of("migrate-keys", "--config", config.toString(),
                        "--from", FROM, "--to", TO, "--rate", UNLIMITED_RATE, "--json"))) {
            int exit = jvm.awaitExit(Duration.ofHours(1));
            if (exit != 0) {
                throw new IllegalStateException("migrate-keys exited with " + exit + "; see " + jvm.stderrFile());
            }
            String out = jvm.stdout().strip();
            report = JSON.readTree(out.substring(out.lastIndexOf("\n") + 1));
        }
        long copied = report.get("copied").asLong();
        double rate = report.get("keysPerSecond").asDouble();
        long migrated = probe.count("v2:session:*");
        double naive = naiveLoop(servers.redisSync(), (int) Math.min(keys, settings.naiveKeys()));
        double ratio = rate / naive;
        results.result("w5_keys", keys);
        results.result("w5_copied", copied);
        results.result("w5_keys_in_new_format", migrated);
        results.result("w5_seconds", Math.round(report.get("seconds").asDouble() * 10) / 10.0);
        results.result("w5_keys_per_second", Math.round(rate));
        results.result("w5_naive_keys", Math.min(keys, settings.naiveKeys()));
        results.result("w5_naive_keys_per_second", Math.round(naive));
        results.result("ratio_w5_naive", Math.round(ratio * 10) / 10.0);
        results.row("W5 migrate-keys", Results.grouped(rate) + " keys/s (" + String.format(Locale.ROOT, "%,d", migrated)
                        + " of " + String.format(Locale.ROOT, "%,d", keys) + " copied)",
                "GET/SET/EXPIRE loop " + Results.grouped(naive) + " keys/s", String.format(Locale.ROOT, "%.1f×", ratio),
                "≥ 30×", Results.Met.of(ratio >= 30 && migrated == keys));
    }

    /** The old keyspace: {@code session:1..n}, 300-byte values, TTL 1 h, written pipelined. */
    private static void fill(StatefulRedisConnection<String, String> connection, long n) {
        RedisAsyncCommands<String, String> async = connection.async();
        String value = "s".repeat(300);
        SetArgs ttl = SetArgs.Builder.ex(3600);
        List<RedisFuture<String>> batch = new ArrayList<>();
        connection.setAutoFlushCommands(false);
        try {
            for (long i = 1; i <= n; i++) {
                batch.add(async.set("session:" + i, value, ttl));
                if (batch.size() == 1_000 || i == n) {
                    connection.flushCommands();
                    if (!LettuceFutures.awaitAll(Duration.ofMinutes(1), batch.toArray(RedisFuture[]::new))) {
                        throw new IllegalStateException("Filling the old keyspace timed out");
                    }
                    batch.clear();
                }
            }
        } finally {
            connection.setAutoFlushCommands(true);
        }
    }

    /** The seed's migration: GET, SET, EXPIRE per key, each waiting for its reply. Keys per second. */
    private static double naiveLoop(RedisCommands<String, String> redis, int n) {
        long start = System.nanoTime();
        for (int i = 1; i <= n; i++) {
            String value = redis.get("session:" + i);
            redis.set("naive:session:" + i, value);
            redis.expire("naive:session:" + i, 3600);
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }
}
