package io.warmer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.status.ConsumerProgress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * W3, W4 and the two-instance replay: the change topic W1 and W2 filled, read again from offset 0.
 * <ul>
 *   <li>W3: {@code warmer replay --target-prefix v3} into an empty Redis: every write applies.</li>
 *   <li>W4: the same again into the same prefix: every write is older than what Redis holds, so fenced.
 *       "0 keys changed" is shown three ways: the replay's own counts (every write fenced),
 *       Redis' count of SET calls (scripts' included) over W4, and a digest of a sample of values and
 *       version keys, equal before and after.</li>
 *   <li>One {@code warmer run --role materialize} process against two sharing the partitions (a fresh
 *       consumer group each, into an empty Redis), timed from the JVMs' start until the group has
 *       committed the topic's end.</li>
 * </ul>
 */
final class ReplayWorkload {

    static final String TARGET_PREFIX = "v3";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A replay's report ({@code warmer replay --json}) and the memory its JVM used. */
    record Replay(long records, double seconds, double recordsPerSecond, long written, long fenced,
                  double heapMib, double rssMib) {
    }

    private ReplayWorkload() {
    }

    static Replay w3(BenchServers servers, SuiteSettings settings, Results results, Path config, double ceiling)
            throws Exception {
        RedisProbe redis = new RedisProbe(servers.redisSync());
        redis.flushAll();
        long setsBefore = redis.calls("set");
        Replay r = replay("w3-replay", servers, settings, config);
        results.result("w3_redis_set_calls", redis.calls("set") - setsBefore);
        results.result("w3_records", r.records());
        results.result("w3_seconds", Math.round(r.seconds() * 10) / 10.0);
        results.result("w3_records_per_second", Math.round(r.recordsPerSecond()));
        results.result("w3_written", r.written());
        results.result("w3_fenced", r.fenced());
        results.result("mem_w3_heap_peak_mib", r.heapMib());
        results.result("mem_w3_rss_peak_mib", Math.round(r.rssMib()));
        double ratio = r.recordsPerSecond() / ceiling;
        results.result("ratio_w3_evalsha_fenced", Math.round(ratio * 1000) / 1000.0);
        results.row("W3 replay, fencing on, fresh prefix", Results.grouped(r.recordsPerSecond()) + " records/s",
                "EVALSHA fenced-write " + Results.grouped(ceiling) + "/s", Results.ratio(ratio), "≥ 0.6",
                Results.Met.of(ratio >= 0.6));
        return r;
    }

    static void w4(BenchServers servers, SuiteSettings settings, Results results, Path config, Replay w3)
            throws Exception {
        RedisProbe redis = new RedisProbe(servers.redisSync());
        List<String> sample = sampleKeys(settings.rows(), settings.verifySample());
        String before = redis.digest(sample);
        long setsBefore = redis.calls("set");
        Replay r = replay("w4-replay", servers, settings, config);
        long sets = redis.calls("set") - setsBefore;
        boolean unchanged = before.equals(redis.digest(sample));
        results.result("w4_records", r.records());
        results.result("w4_records_per_second", Math.round(r.recordsPerSecond()));
        results.result("w4_written", r.written());
        results.result("w4_fenced", r.fenced());
        results.result("w4_redis_set_calls", sets);
        results.result("w4_sample_keys", sample.size());
        results.result("w4_sample_unchanged", unchanged ? 1 : 0);
        // The sink counts a fenced write among its puts ("written") and again among "fenced".
        long applied = r.written() - r.fenced();
        results.result("w4_applied", applied);
        long changed = applied + sets + (unchanged ? 0 : 1);
        double ratio = r.recordsPerSecond() / w3.recordsPerSecond();
        results.row("W4 replay, all writes stale", Results.grouped(r.recordsPerSecond()) + " records/s; "
                        + String.format(Locale.ROOT, "%,d applied, %,d SETs, %,d-key sample %s", applied, sets,
                        sample.size(), unchanged ? "unchanged" : "CHANGED"),
                "W3 " + Results.grouped(w3.recordsPerSecond()) + " records/s", Results.ratio(ratio),
                "≥ W3 rate; 0 keys changed", Results.Met.of(ratio >= 1 && changed == 0 && r.fenced() == r.records()));
    }

    /** One materializer process, then two sharing the partitions, each group fresh, into an empty Redis. */
    static void instances(BenchServers servers, SuiteSettings settings, Results results) throws Exception {
        double one = materialize(servers, settings, results, 1);
        double two = materialize(servers, settings, results, 2);
        results.row("Replay by 2 materializer processes vs 1", Results.grouped(two) + " records/s",
                "1 process " + Results.grouped(one) + " records/s", Results.ratio(two / one), "(measured, no goal)",
                Results.Met.NONE);
    }

    private static double materialize(BenchServers servers, SuiteSettings settings, Results results, int processes)
            throws Exception {
        new RedisProbe(servers.redisSync()).flushAll();
        String group = "warmer-bench-x" + processes;
        Path config = BenchConfig.write(settings.work(), group, servers, group, "v" + (3 + processes));
        String topic = ChangeTopics.topicFor(BenchConfig.TOPIC_PREFIX, TableId.parse(UsersTable.TABLE));
        List<WarmerJvm> jvms = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                servers.kafka.bootstrapServers()))) {
            ConsumerProgress progress = new ConsumerProgress(admin, group);
            Map<TopicPartition, Long> end = progress.endOffsets(List.of(topic));
            long records = end.values().stream().mapToLong(Long::longValue).sum();
            Duration timeout = Duration.ofSeconds(Math.max(600, records / 1_000));
            long start = System.nanoTime();
            for (int i = 1; i <= processes; i++) {
                jvms.add(WarmerJvm.start(group + "-" + i, settings.warmerApp(), settings.work(),
                        BenchConfig.environment(servers), List.of("run", "--role", "materialize", "--config",
                                config.toString())));
            }
            while (progress.behind(end) > 0) {
                for (WarmerJvm jvm : jvms) {
                    if (!jvm.isAlive()) {
                        throw new IllegalStateException(jvm + " exited; see " + jvm.stderrFile());
                    }
                }
                if (System.nanoTime() - start > timeout.toNanos()) {
                    throw new IllegalStateException(group + " did not catch up within " + timeout);
                }
                Thread.sleep(SnapshotWorkload.POLL.toMillis());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = records / seconds;
            results.result("x" + processes + "_records", records);
            results.result("x" + processes + "_seconds", Math.round(seconds * 10) / 10.0);
            results.result("x" + processes + "_records_per_second", Math.round(rate));
            return rate;
        } finally {
            jvms.forEach(WarmerJvm::close);
        }
    }

    private static Replay replay(String name, BenchServers servers, SuiteSettings settings, Path config)
            throws Exception {
        try (WarmerJvm jvm = WarmerJvm.start(name, settings.warmerApp(), settings.work(),
                BenchConfig.environment(servers), List.of("replay", "--config", config.toString(), "--target-prefix",
                        TARGET_PREFIX, "--json"))) {
            int exit = jvm.awaitExit(Duration.ofHours(1));
            if (exit != 0) {
                throw new IllegalStateException(name + " exited with " + exit + "; see " + jvm.stderrFile());
            }
            String out = jvm.stdout().strip();
            JsonNode report = JSON.readTree(out.substring(out.lastIndexOf("\n") + 1));
            return new Replay(report.get("records").asLong(), report.get("seconds").asDouble(),
                    report.get("recordsPerSecond").asDouble(), report.get("written").asLong(),
                    report.get("fenced").asLong(), jvm.peakHeapMib(), jvm.peakRssMib());
        }
    }

    /** The value keys and version keys of {@code size} random rows (a fixed seed: the same rows every run). */
    private static List<String> sampleKeys(long rows, int size) {
        SplittableRandom random = new SplittableRandom(42);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < Math.min(rows, size); i++) {
            String key = TARGET_PREFIX + ":user:" + (1 + random.nextLong(rows));
            keys.add(key);
            keys.add("{" + key + "}:v");
        }
        return keys;
    }
}
