package io.warmer.bench;

import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.embedded.EmbeddedKafka;
import io.warmer.embedded.EmbeddedPostgres;
import io.warmer.embedded.EmbeddedRedis;
import io.warmer.service.WarmerService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;

/**
 * W1: the initial snapshot of a table of {@code rows} rows of about {@code bytes} bytes, from
 * PostgreSQL through Debezium, Kafka and Streams into Redis, on embedded servers. Prints
 * {@code result <name> <value>} lines that bench/w1-snapshot.sh sets beside the Redis ceiling.
 */
public final class SnapshotBenchmark {

    private SnapshotBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int bytes = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        Path work = Files.createTempDirectory("warmer-bench");
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(work.resolve("postgres"));
             EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedRedis redis = EmbeddedRedis.start(work.resolve("redis"));
             Connection db = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            long seedStart = System.nanoTime();
            try (Statement st = db.createStatement()) {
                st.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, payload text NOT NULL)");
                // The payload pads each row's JSON value to about `bytes` bytes.
                st.execute("INSERT INTO items SELECT i, 'item ' || i, repeat('x', " + Math.max(1, bytes - 40)
                        + ") FROM generate_series(1, " + rows + ") i");
            }
            System.out.printf(Locale.ROOT, "seeded %d rows in %.1f s%n", rows, (System.nanoTime() - seedStart) / 1e9);

            WarmerConfig config = new ConfigLoader(name -> pg.password()).parse("""
                    source:
                      postgres: {host: %s, port: %d, database: %s, user: %s, password-env: PW}
                    kafka: {bootstrap-servers: "%s", topic-prefix: bench, partitions: 4, stream-threads: 2}
                    redis: {uri: "%s"}
                    families:
                      - {name: item, table: items, key: "item:${id}", ttl: 1h}
                    """.formatted(pg.host(), pg.port(), pg.database(), pg.user(), kafka.bootstrapServers(),
                    redis.uri()), "bench.yml");

            long start = System.nanoTime();
            double captured = 0;
            try (WarmerService warmer = WarmerService.start(config)) {
                while (warmer.counters().puts() < rows) {
                    if (captured == 0 && warmer.capture().publishedChanges() >= rows) {
                        captured = (System.nanoTime() - start) / 1e9;
                    }
                    if (warmer.failure().isDone()) {
                        throw new IllegalStateException("Warmer failed during the benchmark; see the log");
                    }
                    Thread.sleep(50);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "result w1_rows %d%n", rows);
                System.out.printf(Locale.ROOT, "result w1_capture_seconds %.1f%n", captured);
                System.out.printf(Locale.ROOT, "result w1_seconds %.1f%n", seconds);
                System.out.printf(Locale.ROOT, "result w1_rows_per_second %.0f%n", rows / seconds);
            }
        }
    }
}
