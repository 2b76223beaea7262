package io.warmer.status;

import io.warmer.backfill.FamilyRegistry;
import io.warmer.backfill.Materializers;
import io.warmer.capture.CaptureException;
import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.capture.PostgresEndpoint;
import io.warmer.capture.snapshot.SnapshotProgress;
import io.warmer.capture.snapshot.SnapshotProgressReader;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.config.FamilyConfig;
import io.warmer.config.WarmerConfig;
import io.warmer.kafka.KafkaClients;
import io.warmer.kafka.KafkaRefusal;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import io.warmer.sink.SinkCounters;
import io.warmer.verify.CacheVerifier;
import io.warmer.verify.VerifyReport;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * Gathers {@link StatusReport} from what any process can see: the capture's snapshot progress, the
 * consumer group's committed offsets, the counters the materializers publish to Redis, the
 * dead-letter topic, and a sampled comparison of the database with Redis.
 */
public final class StatusProbe {

    private static final long TIMEOUT_SECONDS = 30;

    private final WarmerConfig config;
    private final Redis process;

    /** @param process the process's Redis, which {@code config.redis()} names */
    public StatusProbe(WarmerConfig config, Redis process) {
        this.config = config;
        this.process = process;
    }

    /**
     * @param sample rows per family for the coverage; 0 skips it (and the database)
     * @param window how long to watch the counters for the write rate
     */
    public StatusReport look(int sample, Duration window) throws InterruptedException {
        KafkaClients bootstrap = config.kafka().clients();
        String prefix = config.kafka().topicPrefix();
        List<String> notes = new ArrayList<>();
        try (RedisConnection<String, String> redis = process.connect();
             Admin admin = ChangeTopicProvisioner.connect(bootstrap)) {
            ChangeTopicProvisioner.awaitReachable(admin, bootstrap);
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<TableId, SnapshotProgress> snapshots = existing.contains(ChangeTopics.snapshotTopic(prefix))
                    ? SnapshotProgressReader.read(bootstrap, prefix) : Map.of();
            CaptureStage capture = config.source().fromDebeziumTopics() ? CaptureStage.DEBEZIUM_TOPICS
                    : CaptureStage.of(snapshots, config.tables());
            Map<String, Long> deadLettered = existing.contains(ChangeTopics.deadLetterTopic(prefix))
                    ? DeadLetterCounts.read(bootstrap, prefix) : Map.of();
            Materializers plan = existing.contains(FamilyRegistry.topicOf(config)) ? Materializers.read(config)
                    : Materializers.of(config, Map.of());
            FamilyProgress progress = new FamilyProgress(admin, config, plan);
            Map<String, Long> lag = progress.behindByFamily(existing);
            Map<String, Long> backfilling = new LinkedHashMap<>();
            for (var r : plan.backfilling()) {
                backfilling.put(r.family(), progress.of(r.family()).behind(r.marks()));
            }
            String key = PublishedCounters.keyOf(config.kafka().applicationId());
            Map<String, SinkCounters.Counts> before = PublishedCounters.read(redis.sync(), key);
            long started = System.nanoTime();
            Map<String, Double> coverage = sample > 0 ? coverage(redis, sample, notes) : Map.of();
            long left = window.toNanos() - (System.nanoTime() - started);
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
            Map<String, SinkCounters.Counts> after = PublishedCounters.read(redis.sync(), key);
            Map<String, String> broken = PublishedCounters.readBroken(redis.sync(), key);
            double seconds = (System.nanoTime() - started) / 1e9;
            List<StatusReport.Family> families = new ArrayList<>();
            SinkCounters.Counts none = new SinkCounters.Counts(0, 0, 0);
            for (FamilyConfig family : config.families()) {
                SinkCounters.Counts then = before.getOrDefault(family.name(), none);
                SinkCounters.Counts now = after.getOrDefault(family.name(), none);
                double rate = seconds <= 0 ? 0 : (now.puts() + now.deletes() - then.puts() - then.deletes()) / seconds;
                families.add(new StatusReport.Family(family.name(), lag.get(family.name()), coverage.get(family.name()),
                        rate, now.puts(), now.deletes(), now.fenced(), deadLettered.getOrDefault(family.name(), 0L),
                        broken.get(family.name()), backfilling.get(family.name())));
            }
            if (lag.size() < config.families().size()) {
                notes.add("no lag where the change topics do not exist yet: the capture has not run");
            }
            List<StatusReport.TableSnapshot> tables = new ArrayList<>();
            for (TableId table : config.tables()) {
                SnapshotProgress p = snapshots.get(table);
                if (p != null) {
                    tables.add(new StatusReport.TableSnapshot(table.qualified(), p.state().wire(), p.rows(), p.chunks(),
                            p.orphans() == null ? null : p.orphans().values().stream().mapToLong(Long::longValue).sum()));
                }
            }
            String rewarm = PublishedRewarm.read(redis.sync(), config.kafka().applicationId());
            return new StatusReport(config.kafka().applicationId(), capture, tables, families, deadLettered, notes,
                    rewarm);
        } catch (ExecutionException | TimeoutException e) {
            throw new CaptureException(KafkaRefusal.explain(bootstrap, e).orElse(bootstrap.where() + " did not list its topics: " + e.getMessage()), e);
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("closing the status connections: " + e.getMessage(), e);
        }
    }

    /** Sampled like `warmer verify`; the database being down makes a note, not a failure. */
    private Map<String, Double> coverage(RedisConnection<String, String> redis, int sample, List<String> notes) {
        Map<String, Double> coverage = new HashMap<>();
        if (config.source().database().isEmpty()) {
            notes.add("coverage not measured: no source.postgres to compare Redis with (debezium-topics alone);"
                    + " lag, write rates, dead letters and broken families are from Kafka and Redis");
            return coverage;
        }
        PostgresEndpoint endpoint = config.source().postgres().endpoint();
        try {
            Map<TableId, io.warmer.capture.TableSchema> schemas = io.warmer.config.SchemaCheck.preflight(config);
            try (Connection db = endpoint.connect()) {
                VerifyReport report = new CacheVerifier(config, db, redis.sync(), schemas)
                        .verify(sample, System.currentTimeMillis());
                report.families().forEach(f -> coverage.put(f.name(), f.coverage()));
            }
        } catch (SQLException | RuntimeException e) {
            notes.add("coverage not measured: " + e.getMessage());
        }
        return coverage;
    }
}
