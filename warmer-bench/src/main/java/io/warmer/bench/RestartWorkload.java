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
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * W7: how long a restarted service with a join takes until changes stream again, with its local stores kept under
 * {@code kafka.state-dir} after a clean stop, against the same restart with the directory emptied first (what every
 * restart did while the state lived in a new temporary directory): restoring the join stores from their changelog
 * topics. Customers with {@code orders} orders between them, one joined family.
 *
 * <p>Streaming again is timed by changes, not by {@code /ready}: Redis still holds every value from before the stop,
 * so the readiness sample is exact at once, while a task that restores its stores processes nothing. Just before
 * each start, {@link #PROBES} customers spread over every partition are renamed; the restart is done when Redis has
 * all of their new values.
 */
final class RestartWorkload {

    static final String APPLICATION = "warmer-bench-w7";
    static final Duration POLL = Duration.ofMillis(100);
    /** Customers renamed before each start: enough that every partition holds some. */
    static final int PROBES = 64;

    /** The two restart times, in seconds. */
    record Outcome(double keptSeconds, double restoredSeconds) {
    }

    private RestartWorkload() {
    }

    static Outcome run(BenchServers servers, SuiteSettings settings, Results results) throws Exception {
        long orders = settings.w7Orders();
        long customers = Math.max(1, orders / 3);
        long seeded = System.nanoTime();
        try (Statement st = servers.db.createStatement()) {
            st.execute("CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL)");
            st.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id),"
                    + " total numeric(10,2) NOT NULL, note text NOT NULL)");
            st.execute("INSERT INTO customers SELECT i, 'customer ' || i FROM generate_series(1, " + customers + ") i");
            st.execute("INSERT INTO orders SELECT i, 1 + i % " + customers + ", i * 0.25, repeat('o', 40)"
                    + " FROM generate_series(1, " + orders + ") i");
            st.execute("VACUUM (ANALYZE) customers, orders");
        }
        results.note("W7: seeded %,d customers and %,d orders in %.1f s", customers, orders,
                (System.nanoTime() - seeded) / 1e9);
        Path stateDir = settings.work().resolve("w7-streams");
        Path config = writeConfig(settings.work(), servers, stateDir);
        Duration timeout = Duration.ofSeconds(Math.max(600, orders / 500));

        double first = startUntilStreaming("w7-first", servers, settings, config, customers, timeout);
        results.result("w7_first_start_seconds", round(first));
        double kept = startUntilStreaming("w7-kept", servers, settings, config, customers, timeout);
        results.result("w7_restart_kept_seconds", round(kept));
        // Whether the restart read its stores back (Warmer logs it): 0 would make the comparison meaningless.
        results.result("w7_stores_kept", Files.readString(settings.work().resolve("w7-kept-logs").resolve("warmer.log"))
                .contains("kept from the last clean stop") ? 1 : 0);
        deleteTree(stateDir); // the restart before kafka.state-dir: an empty directory, stores restored
        double restored = startUntilStreaming("w7-restored", servers, settings, config, customers, timeout);
        results.result("w7_restart_restored_seconds", round(restored));
        results.result("ratio_w7_kept_restored", Math.round(kept / restored * 1000) / 1000.0);
        return new Outcome(kept, restored);
    }

    /**
     * Renames {@link #PROBES} customers, starts {@code warmer run}, waits until Redis has their new values and
     * {@code /ready} is 200, and stops it with SIGTERM; the seconds from the start until the values were there.
     */
    private static double startUntilStreaming(String name, BenchServers servers, SuiteSettings settings, Path config,
                                              long customers, Duration timeout) throws Exception {
        List<Long> probes = new java.util.ArrayList<>();
        for (int i = 0; i < PROBES; i++) {
            probes.add(1 + (i * (customers / PROBES + 7919L)) % customers);
        }
        String marker = name + " " + System.nanoTime();
        try (Statement st = servers.db.createStatement()) {
            st.executeUpdate("UPDATE customers SET name = '" + marker + "' WHERE id IN ("
                    + probes.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")) + ")");
        }
        var redis = servers.redisSync();
        long start = System.nanoTime();
        double streaming = Double.NaN;
        try (WarmerJvm warmer = WarmerJvm.start(name, settings.warmerApp(), settings.work(),
                BenchConfig.environment(servers), List.of("run", "--config", config.toString()))) {
            HttpClient http = HttpClient.newHttpClient();
            URI ready = null;
            while (true) {
                Thread.sleep(POLL.toMillis());
                if (!warmer.isAlive()) {
                    throw new IllegalStateException("W7: warmer run exited; see " + warmer.stderrFile());
                }
                if ((System.nanoTime() - start) / 1e9 > timeout.toSeconds()) {
                    throw new IllegalStateException("W7: " + name + " not ready within " + timeout);
                }
                if (Double.isNaN(streaming) && probes.stream().allMatch(id -> {
                    String value = redis.get("w7:customer:" + id + ":orders");
                    return value != null && value.contains(marker);
                })) {
                    streaming = (System.nanoTime() - start) / 1e9;
                }
                if (ready == null) {
                    ready = warmer.statusPage().map(page -> page.resolve("/ready")).orElse(null);
                    if (ready == null) {
                        continue;
                    }
                }
                try {
                    if (!Double.isNaN(streaming) && http.send(HttpRequest.newBuilder(ready)
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200) {
                        warmer.stop();
                        return streaming;
                    }
                } catch (IOException notYet) {
                    // the server is starting
                }
            }
        }
    }

    private static Path writeConfig(Path dir, BenchServers servers, Path stateDir) {
        String yaml = """
                # Written by warmer-bench (io.warmer.bench.RestartWorkload) for W7.
                source:
                  postgres: {host: "%s", port: %d, database: "%s", user: "%s", password-env: %s}
                kafka:
                  bootstrap-servers: "%s"
                  topic-prefix: bench-w7
                  partitions: %d
                  stream-threads: %d
                  application-id: %s
                  state-dir: "%s"
                redis: {uri: "%s"}
                # Ready means restored and caught up: lag 0, every sampled value exact, checked often.
                http: {port: 0, check-interval: 500ms, ready: {min-coverage: 1.0, max-lag: 0, sample: 200}}
                families:
                  - name: customer-orders
                    table: public.customers
                    key: "w7:customer:${id}:orders"
                    columns: [id, name]
                    join:
                      - {table: public.orders, on: {customer_id: id}, as: orders, columns: [id, total, note], many: true}
                """.formatted(servers.postgres.host(), servers.postgres.port(), servers.postgres.database(),
                servers.postgres.user(), BenchConfig.PASSWORD_ENV, servers.kafka.bootstrapServers(),
                BenchConfig.PARTITIONS, BenchConfig.STREAM_THREADS, APPLICATION, stateDir, servers.redis.uri());
        Path file = dir.resolve("w7.yml");
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
        return file;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }

}
