package io.warmer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * W8: a warm-up whose families include a 1:N join, against the same rows warmed without it. Customers, each with three
 * orders (foreign key, {@code serial} keys, {@code numeric}, {@code timestamptz}, {@code jsonb}); two fresh services,
 * each with its own slot, publication, topics, consumer group and key prefix:
 * <ul>
 *   <li><b>plain</b>: a family per table, {@code w8p:customer:${id}} and {@code w8p:order:${id}};</li>
 *   <li><b>joined</b>: the same order family, and the customer family with its orders joined under it
 *       ({@code many: true}), {@code w8j:customer:${id}}.</li>
 * </ul>
 * Each is timed from its JVM's start until its own {@code /ready} says every family is exact on its sample with lag 0
 * (coverage 1.0, checked every 500 ms) and Redis holds one key per customer and per order; then a sampled verify of
 * every family must find no drift. The goal: joined within 2x plain.
 */
final class JoinWarmupWorkload {

    static final Duration POLL = Duration.ofMillis(200);
    static final int ORDERS_PER_CUSTOMER = 3;

    /** The two warm-ups, in seconds. */
    record Outcome(long customers, long orders, double plainSeconds, double joinedSeconds) {
        double ratio() {
            return joinedSeconds / plainSeconds;
        }
    }

    private JoinWarmupWorkload() {
    }

    static Outcome run(BenchServers servers, SuiteSettings settings, Results results) throws Exception {
        long customers = settings.w8Customers();
        long orders = customers * ORDERS_PER_CUSTOMER;
        long seeded = System.nanoTime();
        try (Statement st = servers.db.createStatement()) {
            st.execute("CREATE SCHEMA w8");
            st.execute("CREATE TABLE w8.customers (id serial PRIMARY KEY, name text NOT NULL, email text NOT NULL,"
                    + " tier text NOT NULL, created_at timestamptz NOT NULL)");
            st.execute("CREATE TABLE w8.orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES w8.customers(id),"
                    + " total numeric(10,2) NOT NULL, status text NOT NULL, placed_at timestamptz NOT NULL, items jsonb NOT NULL)");
            st.execute("INSERT INTO w8.customers (name, email, tier, created_at) SELECT 'customer ' || i,"
                    + " 'c' || i || '@example.com', (ARRAY['free','pro','team'])[1 + i % 3],"
                    + " timestamptz '2025-01-01 00:00:00+00' + i * interval '1 minute' FROM generate_series(1, " + customers + ") i");
            st.execute("INSERT INTO w8.orders (customer_id, total, status, placed_at, items) SELECT 1 + i % " + customers
                    + ", (i % 10000) * 0.37, (ARRAY['placed','paid','shipped'])[1 + i % 3],"
                    + " timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second',"
                    + " jsonb_build_array(jsonb_build_object('sku', 'sku-' || (i % 997), 'qty', 1 + i % 4))"
                    + " FROM generate_series(1, " + orders + ") i");
            st.execute("VACUUM (ANALYZE) w8.customers, w8.orders");
        }
        results.note("W8: seeded %,d customers and %,d orders in %.1f s", customers, orders,
                (System.nanoTime() - seeded) / 1e9);
        Duration timeout = Duration.ofSeconds(Math.max(600, orders / 200));
        double plain = warmUp("w8p", false, servers, settings, results, customers, orders, timeout);
        results.result("w8_plain_seconds", round(plain));
        results.result("w8_plain_rows_per_second", Math.round((customers + orders) / plain));
        double joined = warmUp("w8j", true, servers, settings, results, customers, orders, timeout);
        results.result("w8_joined_seconds", round(joined));
        results.result("w8_joined_rows_per_second", Math.round((customers + orders) / joined));
        results.result("ratio_w8_joined_plain", Math.round(joined / plain * 1000) / 1000.0);
        return new Outcome(customers, orders, plain, joined);
    }

    /** Starts a fresh service on {@code name}'s own slot, topics and prefix; seconds until ready and every key is there. */
    private static double warmUp(String name, boolean join, BenchServers servers, SuiteSettings settings, Results results,
                                 long customers, long orders, Duration timeout) throws Exception {
        Path config = writeConfig(settings.work(), name, join, servers);
        RedisProbe redis = new RedisProbe(servers.redisSync());
        HttpClient http = HttpClient.newHttpClient();
        long start = System.nanoTime();
        try (WarmerJvm warmer = WarmerJvm.start(name, settings.warmerApp(), settings.work(), BenchConfig.environment(servers),
                List.of("run", "--config", config.toString()))) {
            URI ready = null;
            while (true) {
                Thread.sleep(POLL.toMillis());
                double t = (System.nanoTime() - start) / 1e9;
                if (!warmer.isAlive()) {
                    throw new IllegalStateException("W8: warmer run (" + name + ") exited; see " + warmer.stderrFile());
                }
                if (t > timeout.toSeconds()) {
                    throw new IllegalStateException("W8: " + name + " not ready within " + timeout + "; see "
                            + warmer.stderrFile());
                }
                if (ready == null) {
                    ready = warmer.statusPage().map(page -> page.resolve("/ready")).orElse(null);
                    if (ready == null) {
                        continue;
                    }
                }
                int status;
                try {
                    status = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException notYet) {
                    continue; // the server is starting
                }
                if (status == 200 && redis.count(name + ":customer:*") == customers
                        && redis.count(name + ":order:*") == orders) {
                    results.result(name + "_heap_peak_mib", warmer.peakHeapMib());
                    warmer.stop();
                    SnapshotWorkload.verify(name, config, servers, settings, results);
                    return t;
                }
            }
        }
    }

    private static Path writeConfig(Path dir, String name, boolean join, BenchServers servers) {
        String customerFamily = join
                ? """
                  - name: customer-orders
                    table: w8.customers
                    key: "%1$s:customer:${id}"
                    join:
                      - {table: w8.orders, on: {customer_id: id}, as: orders, columns: [id, total, status, placed_at], many: true}
                """.formatted(name)
                : """
                  - {name: customer, table: w8.customers, key: "%1$s:customer:${id}"}
                """.formatted(name);
        String yaml = """
                # Written by warmer-bench (io.warmer.bench.JoinWarmupWorkload) for W8.
                source:
                  postgres: {host: "%s", port: %d, database: "%s", user: "%s", password-env: %s,
                             slot: warmer_bench_%s, publication: warmer_bench_%s}
                kafka:
                  bootstrap-servers: "%s"
                  topic-prefix: bench-%s
                  partitions: %d
                  stream-threads: %d
                  application-id: warmer-bench-%s
                  state-dir: "%s"
                redis: {uri: "%s"}
                # Ready means every family exact on its sample with lag 0, checked often.
                http: {port: 0, check-interval: 500ms, ready: {min-coverage: 1.0, max-lag: 0, sample: 200}}
                families:
                %s  - {name: order, table: w8.orders, key: "%s:order:${id}"}
                """.formatted(servers.postgres.host(), servers.postgres.port(), servers.postgres.database(),
                servers.postgres.user(), BenchConfig.PASSWORD_ENV, name, name, servers.kafka.bootstrapServers(), name,
                BenchConfig.PARTITIONS, BenchConfig.STREAM_THREADS, name, dir.resolve(name + "-streams"),
                servers.redis.uri(), customerFamily, name);
        Path file = dir.resolve(name + ".yml");
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
        return file;
    }

    static String describe(Outcome w8) {
        return String.format(Locale.ROOT, "%,d customers + %,d orders", w8.customers(), w8.orders());
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }
}
