package io.warmer.bench;

import io.warmer.capture.PostgresEndpoint;
import io.warmer.capture.PostgresPreflight;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import io.warmer.verify.CacheVerifier;
import io.warmer.verify.VerifyReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * W1: {@code warmer run} in its own JVM on a freshly filled users table, from the JVM's start until every
 * row's key is in Redis: the count of {@code v1:user:*} keys is exactly the table's, and a random sample
 * of values equals what the pipeline's own mapping makes of the database's rows ({@link CacheVerifier}).
 * The service is left running for W2.
 */
final class SnapshotWorkload {

    /** Fenced writes leave a value key and a version key per row. */
    static final int KEYS_PER_ROW = 2;
    static final Duration POLL = Duration.ofMillis(200);

    /** What W1 hands on: the running service, its config and its progress over time. */
    record Outcome(WarmerJvm warmer, Path config, Timeline cached, Timeline captured, double seconds) {
    }

    private SnapshotWorkload() {
    }

    static Outcome run(BenchServers servers, SuiteSettings settings, Results results) throws Exception {
        long rows = settings.rows();
        Path config = BenchConfig.write(settings.work(), "run", servers, "warmer-bench", BenchConfig.KEY_PREFIX);
        RedisProbe redis = new RedisProbe(servers.redisSync());
        long baseline = redis.dbsize();
        Timeline cached = new Timeline("rows in Redis");
        Timeline captured = new Timeline("rows in Kafka");
        String topic = ChangeTopics.topicFor(BenchConfig.TOPIC_PREFIX, TableId.parse(UsersTable.TABLE));
        Duration timeout = Duration.ofSeconds(Math.max(600, rows / 1_000));

        long start = System.nanoTime();
        WarmerJvm warmer = WarmerJvm.start("run", settings.warmerApp(), settings.work(), BenchConfig.environment(servers),
                List.of("run", "--config", config.toString()));
        double capturedAt = Double.NaN;
        double seconds;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                servers.kafka.bootstrapServers()))) {
            int polls = 0;
            while (true) {
                Thread.sleep(POLL.toMillis());
                double t = (System.nanoTime() - start) / 1e9;
                long keys = redis.dbsize() - baseline;
                cached.add(t, keys / (double) KEYS_PER_ROW);
                if (polls++ % 5 == 0 || Double.isNaN(capturedAt)) {
                    long inKafka = endOffsets(admin, topic);
                    captured.add(t, inKafka);
                    if (Double.isNaN(capturedAt) && inKafka >= rows) {
                        capturedAt = t;
                    }
                }
                if (!warmer.isAlive()) {
                    throw new IllegalStateException("warmer run exited during W1; see " + warmer.stderrFile());
                }
                if (keys >= KEYS_PER_ROW * rows && redis.count(BenchConfig.KEY_PREFIX + ":user:*") == rows) {
                    seconds = t;
                    break;
                }
                if (t > timeout.toSeconds()) {
                    throw new IllegalStateException("W1 did not finish within " + timeout + ": " + keys / KEYS_PER_ROW
                            + " of " + rows + " rows in Redis");
                }
            }
        } catch (Exception e) {
            warmer.close();
            throw e;
        }
        results.result("w1_rows", rows);
        results.result("w1_capture_seconds", Math.round(capturedAt * 10) / 10.0);
        results.result("w1_seconds", Math.round(seconds * 10) / 10.0);
        results.result("w1_rows_per_second", Math.round(rows / seconds));
        results.result("mem_w1_heap_peak_mib", warmer.peakHeapMib());
        results.result("mem_w1_rss_peak_mib", Math.round(warmer.peakRssMib()));
        List<String> some = new java.util.ArrayList<>();
        for (long id = 1; id <= Math.min(rows, 1_000); id++) {
            some.add(BenchConfig.KEY_PREFIX + ":user:" + id);
        }
        results.result("w1_value_bytes_avg", Math.round(redis.averageValueBytes(some)));
        verify("w1", config, servers, settings, results);
        return new Outcome(warmer, config, cached, captured, seconds);
    }

    /**
     * W6: empties Redis under the running service (a FLUSHALL, as an operator's mistake or a restart without
     * persistence would) and times how long it takes, with no command, until every row's key and version key are
     * back; the service notices the loss within a second and rebuilds from the change topic.
     *
     * @return seconds from the FLUSHALL until every key is back and the service's {@code /ready} is 200 again; a
     *         sampled verify then must find no drift
     */
    static double rewarm(BenchServers servers, SuiteSettings settings, Results results, WarmerJvm warmer, Path config)
            throws Exception {
        long rows = settings.rows();
        RedisProbe redis = new RedisProbe(servers.redisSync());
        Duration timeout = Duration.ofSeconds(Math.max(600, rows / 1_000));
        redis.flushAll();
        long start = System.nanoTime();
        double seconds;
        while (true) {
            Thread.sleep(POLL.toMillis());
            double t = (System.nanoTime() - start) / 1e9;
            if (!warmer.isAlive()) {
                throw new IllegalStateException("warmer run exited during W6; see " + warmer.stderrFile());
            }
            if (redis.dbsize() >= KEYS_PER_ROW * rows && redis.count(BenchConfig.KEY_PREFIX + ":user:*") == rows) {
                seconds = t;
                break;
            }
            if (t > timeout.toSeconds()) {
                throw new IllegalStateException("W6: the keys did not come back within " + timeout + ": "
                        + redis.count(BenchConfig.KEY_PREFIX + ":user:*") + " of " + rows + " rows in Redis");
            }
        }
        results.result("w6_keys_back_seconds", Math.round(seconds * 10) / 10.0);
        results.result("w6_rows_per_second", Math.round(rows / seconds));
        // Ready again: the service's own gate (exact values on its sample, lag 0), checked every 5 s.
        URI ready = warmer.statusPage().orElseThrow(() -> new IllegalStateException(
                "W6: warmer run printed no status page address; see " + warmer.stderrFile())).resolve("/ready");
        HttpClient http = HttpClient.newHttpClient();
        while (http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            if ((System.nanoTime() - start) / 1e9 > timeout.toSeconds()) {
                throw new IllegalStateException("W6: /ready did not turn 200 within " + timeout);
            }
            Thread.sleep(POLL.toMillis());
        }
        double readySeconds = (System.nanoTime() - start) / 1e9;
        results.result("w6_seconds", Math.round(readySeconds * 10) / 10.0);
        verify("w6", config, servers, settings, results);
        return readySeconds;
    }

    /**
     * The sampled comparison of database and Redis that `warmer verify --sample` makes, in this JVM, over every family
     * of the configuration; the figures are summed over the families.
     */
    static void verify(String workload, Path configFile, BenchServers servers, SuiteSettings settings,
                               Results results) throws Exception {
        WarmerConfig config = new ConfigLoader(name -> servers.postgres.password()).load(configFile);
        var pg = config.source().postgres();
        PostgresEndpoint endpoint = pg.endpoint();
        var schemas = PostgresPreflight.check(endpoint, config.tables(), config.requiredColumns());
        int sample = (int) Math.min(settings.rows(), settings.verifySample());
        VerifyReport report;
        try (Redis process = Redis.of(config.redis()); RedisConnection<String, String> redis = process.connect()) {
            report = new CacheVerifier(config, servers.db, redis.sync(), schemas).verify(sample,
                    System.currentTimeMillis());
        }
        List<VerifyReport.Family> families = report.families();
        results.result(workload + "_verify_checked", families.stream().mapToLong(VerifyReport.Family::checked).sum());
        results.result(workload + "_verify_missing", families.stream().mapToLong(VerifyReport.Family::missing).sum());
        results.result(workload + "_verify_stale", families.stream().mapToLong(VerifyReport.Family::stale).sum());
        if (report.drifted()) {
            throw new IllegalStateException(workload.toUpperCase(java.util.Locale.ROOT) + " ended with drift: " + families);
        }
    }

    /** Records in the change topic so far; 0 before the capture created it. */
    private static long endOffsets(Admin admin, String topic) throws InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < BenchConfig.PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        try {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
                return 0;
            }
            return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notYetCreated) {
            return 0;
        }
    }
}
