package io.warmer.verify;

import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.capture.PostgresEndpoint;
import io.warmer.capture.PostgresPreflight;
import io.warmer.capture.TableSchema;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.config.PostgresSourceConfig;
import io.warmer.config.WarmerConfig;
import io.warmer.service.ConsumerProgress;
import io.warmer.service.WarmerService;
import io.warmer.topology.WarmerTopology;
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

    public record FamilyCoverage(String family, long checked, long missing, double coverage) {
    }

    /**
     * One look at the keyspace; {@code families} is empty until the snapshot is done and the lag small,
     * {@code projected} is null until then too, or when no reads were given.
     */
    public record Status(boolean snapshotDone, long lag, List<FamilyCoverage> families,
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
        List<String> topics = config.tables().stream()
                .map(t -> ChangeTopics.topicFor(config.kafka().topicPrefix(), t)).toList();
        long lag = progress.behind(progress.endOffsets(topics), WarmerTopology.joinRouteTopics(config));
        if (!snapshotDone || lag > targets.maxLag()) {
            return new Status(snapshotDone, lag, List.of(), null, false);
        }
        VerifyReport report = new CacheVerifier(config, db, redis.commands(), schemas)
                .verify(targets.sample(), System.currentTimeMillis());
        List<FamilyCoverage> families = new ArrayList<>();
        boolean covered = true;
        for (VerifyReport.Family family : report.families()) {
            double coverage = family.coverage();
            families.add(new FamilyCoverage(family.name(), family.checked(), family.missing(), coverage));
            covered &= coverage >= targets.minCoverage();
        }
        ProjectedHitRate.Result projected = null;
        if (!targets.reads().isEmpty()) {
            projected = ProjectedHitRate.measure(config.keyFamilies(), targets.reads(), redis.commands());
            covered &= targets.minProjectedHitRate() == null || projected.hitRate() >= targets.minProjectedHitRate();
        }
        return new Status(true, lag, families, projected, covered);
    }

    @Override
    public void close() throws Exception {
        redis.close();
        db.close();
        admin.close();
    }
}
