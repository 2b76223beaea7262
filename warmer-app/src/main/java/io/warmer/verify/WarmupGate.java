package io.warmer.verify;

import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.capture.PostgresEndpoint;
import io.warmer.capture.PostgresPreflight;
import io.warmer.capture.TableSchema;
import io.warmer.change.TableId;
import io.warmer.config.PostgresSourceConfig;
import io.warmer.config.WarmerConfig;
import io.warmer.status.ConsumerProgress;
import io.warmer.service.WarmerService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The pre-deploy question, "is the new keyspace ready?": the snapshot is done, the materializer is
 * at most {@code maxLag} records behind the change topics, and every family's coverage (keys present
 * among the rows that should have one, measured on a random sample) reaches the target; and, when
 * recorded application reads are given, the share of them the new keys would serve reaches its target.
 */
public final class WarmupGate implements AutoCloseable {

    /**
     * @param minCoverage share of rows that must have their keys, e.g. 0.999
     * @param maxLag      change records the materializer may still be behind
     * @param sample      rows per family the coverage is measured on
     * @param reads       recorded application reads of old-format keys, or empty
     * @param minProjectedHitRate the share of {@code reads} that must hit the new keys, or null
     */
    public record Targets(double minCoverage, long maxLag, int sample, List<String> reads, Double minProjectedHitRate) {
        public Targets {
            reads = List.copyOf(reads);
        }

        public Targets(double minCoverage, long maxLag, int sample) {
            this(minCoverage, maxLag, sample, List.of(), null);
        }
    }

    /**
     * One family's side of the gate.
     *
     * @param lag        change records (and routed join records) not yet in the cache; null before the capture
     *                   created the family's topics
     * @param coverage   share of sampled rows whose keys are present; null when not measured
     * @param waitingFor what this family still waits for, in words; null once ready
     */
    public record FamilyReadiness(String family, Long lag, long checked, long missing, Double coverage, boolean ready,
                                  String waitingFor) {
    }

    /**
     * One look at the keyspace. Coverage is measured at every look, during the snapshot too, so that a warm-up can be
     * watched filling; {@code projected} is null until the snapshot is done and the lag within bound, or when no
     * reads were given.
     */
    public record Status(boolean snapshotDone, long lag, List<FamilyReadiness> families,
                         ProjectedHitRate.Result projected, boolean ready) {
    }

    private final WarmerConfig config;
    private final Targets targets;
    private final WarmerService warmer;
    private final Admin admin;
    private final ConsumerProgress progress;
    private final Connection db;
    private final RedisReader redis;
    private final Map<TableId, TableSchema> schemas;

    public WarmupGate(WarmerConfig config, Targets targets, WarmerService warmer) throws SQLException {
        this.config = config;
        this.targets = targets;
        this.warmer = warmer;
        PostgresSourceConfig pg = config.source().postgres();
        PostgresEndpoint endpoint = pg.endpoint();
        this.schemas = PostgresPreflight.check(endpoint, config.tables(), config.requiredColumns());
        this.admin = ChangeTopicProvisioner.connect(config.kafka().bootstrapServers());
        this.progress = new ConsumerProgress(admin, config.kafka().applicationId());
        this.db = DriverManager.getConnection(endpoint.jdbcUrl(), pg.user(), pg.password());
        this.redis = RedisReader.connect(config.redis());
    }

    public Status check() throws InterruptedException, SQLException {
        boolean snapshotDone = warmer.capture() == null || warmer.capture().snapshotCompleted();
        Map<String, Long> lags = progress.behindByFamily(config, progress.existingTopics());
        long lag = lags.values().stream().mapToLong(Long::longValue).sum();
        VerifyReport report = new CacheVerifier(config, db, redis.commands(), schemas)
                .verify(targets.sample(), System.currentTimeMillis());
        List<FamilyReadiness> families = new ArrayList<>();
        boolean ready = true;
        for (VerifyReport.Family family : report.families()) {
            Long familyLag = lags.get(family.name());
            double coverage = family.coverage();
            String waitingFor = !snapshotDone ? "the snapshot"
                    : familyLag == null ? "the change topics (the capture has not created them)"
                    : familyLag > targets.maxLag() ? "lag " + familyLag + " to fall to " + targets.maxLag()
                    : coverage < targets.minCoverage() ? String.format("coverage %.2f%% to reach %.2f%%", 100 * coverage,
                    100 * targets.minCoverage())
                    : null;
            families.add(new FamilyReadiness(family.name(), familyLag, family.checked(), family.missing(), coverage,
                    waitingFor == null, waitingFor));
            ready &= waitingFor == null;
        }
        ProjectedHitRate.Result projected = null;
        if (ready && !targets.reads().isEmpty()) {
            projected = ProjectedHitRate.measure(config.keyFamilies(), targets.reads(), redis.commands());
            ready = targets.minProjectedHitRate() == null || projected.hitRate() >= targets.minProjectedHitRate();
        }
        return new Status(snapshotDone, lag, families, projected, ready);
    }

    /** How long Redis takes to answer a PING on the gate's connection, in nanoseconds. */
    public long pingRedis() {
        long started = System.nanoTime();
        redis.commands().ping();
        return System.nanoTime() - started;
    }

    @Override
    public void close() throws Exception {
        redis.close();
        db.close();
        admin.close();
    }
}
