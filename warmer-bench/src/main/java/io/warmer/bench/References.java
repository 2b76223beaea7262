package io.warmer.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;

/**
 * W1's two same-run references, each in a JVM of its own, one after the other, each on the users table W1 then
 * reads: {@link CopyToRedisReference} (COPY to pipelined SET, no CDC) and {@link DebeziumLoopReference} (Debezium's
 * embedded engine to pipelined SET, no Kafka). Each is timed as W1 is, from its JVM's start until Redis holds every
 * row's key (the program exits only then, and the count is checked), into a database of Redis of its own
 * ({@link #DATABASE}), emptied afterwards, so that W1 starts on the same Redis as before.
 */
final class References {

    /** The Redis database the references write into: W1 counts database 0. */
    static final int DATABASE = 1;

    /** Rows per second of each reference. */
    record Rates(double copy, double debeziumLoop) {
    }

    private References() {
    }

    static Rates measure(BenchServers servers, SuiteSettings settings, Results results) throws Exception {
        long rows = settings.rows();
        String redis = servers.redis.uri() + "/" + DATABASE;
        double copy = timed("reference-copy", CopyToRedisReference.class, servers, settings, rows,
                List.of(servers.postgres.jdbcUrl(), servers.postgres.user(), redis, "ref-copy"));
        results.result("ref_copy_set_rows_per_second", Math.round(copy));
        double loop = timed("reference-debezium-loop", DebeziumLoopReference.class, servers, settings, rows,
                List.of(servers.postgres.host(), Integer.toString(servers.postgres.port()), servers.postgres.database(),
                        servers.postgres.user(), redis, "ref-loop", Long.toString(rows)));
        results.result("ref_debezium_loop_rows_per_second", Math.round(loop));
        return new Rates(copy, loop);
    }

    private static double timed(String name, Class<?> program, BenchServers servers, SuiteSettings settings, long rows,
                                List<String> args) throws Exception {
        results(servers, 0); // empty before, in case an earlier run stopped half-way
        long start = System.nanoTime();
        try (WarmerJvm jvm = WarmerJvm.startBenchProgram(name, program, settings.work(),
                BenchConfig.environment(servers), args)) {
            int exit = jvm.awaitExit(Duration.ofSeconds(Math.max(600, rows / 1_000)));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (exit != 0) {
                throw new IllegalStateException(name + " exited with " + exit + "; see " + jvm.stderrFile());
            }
            results(servers, rows);
            return rows / seconds;
        }
    }

    /** Checks that the references' database holds {@code expected} keys, then empties it. */
    private static void results(BenchServers servers, long expected) {
        RedisClient client = RedisClient.create(servers.redis.uri() + "/" + DATABASE);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            long keys = connection.sync().dbsize();
            if (expected > 0 && keys != expected) {
                throw new IllegalStateException("a reference left " + keys + " keys in Redis database " + DATABASE
                        + ", expected one per row: " + expected);
            }
            connection.sync().flushdb();
        } finally {
            client.shutdown();
        }
    }
}
