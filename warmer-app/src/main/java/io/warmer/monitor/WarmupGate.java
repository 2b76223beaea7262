package io.warmer.monitor;

import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.capture.PostgresCapture;
import io.warmer.capture.StoredOffsets;
import io.warmer.capture.TableSchema;
import io.warmer.capture.snapshot.SnapshotProgressReader;
import io.warmer.change.TableId;
import io.warmer.config.PostgresSourceConfig;
import io.warmer.config.ReadyTargets;
import io.warmer.config.SchemaCheck;
import io.warmer.config.WarmerConfig;
import io.warmer.family.KeyFamily;
import io.warmer.redis.RedisConnection;
import io.warmer.rewarm.Rewarm;
import io.warmer.service.ServiceView;
import io.warmer.status.FamilyProgress;
import io.warmer.verify.CacheVerifier;
import io.warmer.verify.ProjectedHitRate;
import io.warmer.verify.VerifyReport;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The pre-deploy question, "is the new keyspace ready?": the snapshot is done, the materializer is
 * at most {@code maxLag} records behind the change topics, every family's coverage (keys holding exactly what the
 * family would write now, among the keys of a random sample of rows) reaches the target, and no key was found stale
 * (still different once the pipeline had passed its row's change, see {@link StaleSuspects}); and, when
 * recorded application reads are given, the share of them the new keys would serve reaches its target.
 *
 * <p>Coverage and stale values need the database. Reading Debezium topics without {@code source.postgres}, the gate
 * judges what Kafka and Redis tell (lag, broken families, rebuilds and backfills, the projected hit rate) and says in
 * {@link Status#unjudged()} that values were not compared.
 */
public final class WarmupGate implements AutoCloseable {

    /**
     * @param ready               coverage, lag and sample: {@code http.ready}, or a warm-up's options
     * @param reads               recorded application reads of old-format keys, or empty
     * @param minProjectedHitRate the share of {@code reads} that must hit the new keys, or null
     */
    public record Targets(ReadyTargets ready, List<String> reads, Double minProjectedHitRate) {

        /** @throws IllegalArgumentException when {@code minProjectedHitRate} is not a share from 0 to 1 */
        public Targets {
            reads = List.copyOf(reads);
            if (minProjectedHitRate != null && (minProjectedHitRate < 0 || minProjectedHitRate > 1)) {
                throw new IllegalArgumentException("found " + minProjectedHitRate + ", expected a share from 0 to 1");
            }
        }

        public Targets(ReadyTargets ready) {
            this(ready, List.of(), null);
        }

        public double minCoverage() {
            return ready.minCoverage();
        }

        public long maxLag() {
            return ready.maxLag();
        }

        public int sample() {
            return ready.sample();
        }
    }

    /**
     * One family's side of the gate.
     *
     * @param lag        change records (and routed join records) not yet in the cache; null before the capture
     *                   created the family's topics
     * @param coverage   share of the sampled rows' keys that hold exactly what the family would write now; null when
     *                   not measured
     * @param stale      keys found holding another value than the database says after the pipeline had passed the
     *                   change (not merely in flight): readiness waits until there are none
     * @param inFlight   keys that differ and are being followed until the pipeline has passed their row's change
     * @param waitingFor what this family still waits for, in words; null once ready
     * @param backfill   change records the family's own materializer still has to read to fill it (a family added after
     *                   the first start); null when it is not backfilling
     */
    public record FamilyReadiness(String family, Long lag, long checked, long missing, Double coverage, long stale,
                                  long inFlight, boolean ready, String waitingFor, Long backfill) {

        /** Share of the sampled rows found stale. */
        public double staleRatio() {
            return checked == 0 ? 0 : (double) stale / checked;
        }
    }
    /**
     * One look at the keyspace. Coverage is measured at every look, during the snapshot too, so that a warm-up can be
     * watched filling; {@code projected} is null until the snapshot is done and the lag within bound, or when no
     * reads were given.
     *
     * @param unjudged what this readiness did not judge and why, in words; null when it judged values too
     */
    public record Status(boolean snapshotDone, long lag, List<FamilyReadiness> families,
                         ProjectedHitRate.Result projected, boolean ready, String unjudged) {

        public Status(boolean snapshotDone, long lag, List<FamilyReadiness> families,
                      ProjectedHitRate.Result projected, boolean ready) {
            this(snapshotDone, lag, families, projected, ready, null);
        }
    }

    /** What a gate without a database cannot judge. */
    public static final String VALUES_UNJUDGED = "values were not compared with the database: source.postgres is not"
            + " configured beside debezium-topics, so coverage and stale values are not judged (add a read-only user"
            + " to judge them)";

    private final WarmerConfig config;
    private final Targets targets;
    private final ServiceView warmer;
    private final Admin admin;
    private final FamilyProgress progress;
    /** Null without a database (Debezium topics alone), and then {@code verifier} too. */
    private Connection db;
    private final RedisConnection<String, String> redis;
    private CacheVerifier verifier;
    private final Map<TableId, TableSchema> schemas;
    private final Map<String, KeyFamily> families = new LinkedHashMap<>();
    private final StaleSuspects suspects = new StaleSuspects();

    public WarmupGate(WarmerConfig config, Targets targets, ServiceView warmer) throws SQLException {
        this.config = config;
        this.targets = targets;
        this.warmer = warmer;
        this.schemas = SchemaCheck.preflight(config);
        this.admin = ChangeTopicProvisioner.connect(config.kafka().clients());
        this.progress = new FamilyProgress(admin, config, warmer.materializers());
        this.db = config.source().database().isEmpty() ? null : config.source().postgres().endpoint().connect();
        this.redis = warmer.redis().connect();
        this.verifier = db == null ? null : new CacheVerifier(config, db, redis.sync(), schemas);
        config.keyFamilies().forEach(f -> families.put(f.name(), f));
    }

    public Status check() throws InterruptedException, SQLException {
        reconnectIfBroken();
        boolean snapshotDone = snapshotDone();
        Map<String, Long> lags = progress.behindByFamily(progress.existingTopics());
        long lag = lags.values().stream().mapToLong(Long::longValue).sum();
        long now = System.currentTimeMillis();
        VerifyReport report = verifier == null ? unsampled() : verifier.verify(targets.sample(), now);
        for (VerifyReport.Family family : report.families()) {
            suspects.found(families.get(family.name()), family.staleKeys());
        }
        if (!config.source().fromDebeziumTopics()) {
            // Confirming a suspect needs the capture's position, which a Debezium deployment of its own does not
            // share: there a stale value only lowers the coverage.
            if (suspects.needsPosition()) {
                suspects.positionTaken(markWal());
            }
            suspects.advance(capturePosition(), progress, verifier.entries(), redis.sync(), now);
        }
        List<FamilyReadiness> readiness = new ArrayList<>();
        boolean ready = true;
        Map<String, String> broken = warmer.counters().brokenFamilies();
        Map<String, Long> backfills = warmer.backfillRemaining();
        Rewarm.Progress rewarm = warmer.rewarm();
        String rebuilding = rewarm.state() == Rewarm.State.FAILED
                ? "the rebuild from the change topics after Redis lost its data, which failed: " + rewarm.reason()
                : rewarm.state() != Rewarm.State.REWARMING ? null
                : String.format("the rebuild from the change topics after Redis lost its data: %,d records to go%s",
                        rewarm.remaining(), rewarm.secondsLeft() == null ? ""
                                : String.format(", about %.0f s", rewarm.secondsLeft()));
        for (VerifyReport.Family family : report.families()) {
            Long familyLag = lags.get(family.name());
            Double coverage = verifier == null ? null : family.coverage();
            long stale = suspects.confirmed(family.name());
            String brokenBecause = broken.getOrDefault(family.name(), family.broken());
            Long backfill = backfills.get(family.name());
            String waitingFor = brokenBecause != null ? "its configuration to be fixed: " + brokenBecause
                    : rebuilding != null ? rebuilding
                    : !snapshotDone ? "the snapshot"
                    : backfill != null ? String.format("the backfill from the change topics: %,d records to go", backfill)
                    : familyLag == null ? "the change topics (the capture has not created them)"
                    : familyLag > targets.maxLag() ? "lag " + familyLag + " to fall to " + targets.maxLag()
                    : stale > 0 ? String.format("%d stale value%s (e.g. %s) to be repaired: warmer snapshot --family %s",
                            stale, stale == 1 ? "" : "s", suspects.confirmedExample(family.name()).orElse("?"), family.name())
                    : coverage != null && coverage < targets.minCoverage() ? String.format("coverage %.2f%% to reach %.2f%%", 100 * coverage,
                    100 * targets.minCoverage())
                    : null;
            readiness.add(new FamilyReadiness(family.name(), familyLag, family.checked(), family.missing(), coverage,
                    stale, suspects.following(family.name()), waitingFor == null, waitingFor, backfill));
            ready &= waitingFor == null;
        }
        ProjectedHitRate.Result projected = null;
        if (ready && !targets.reads().isEmpty()) {
            projected = ProjectedHitRate.measure(config.keyFamilies(), targets.reads(), redis.sync());
            ready = targets.minProjectedHitRate() == null || projected.hitRate() >= targets.minProjectedHitRate();
        }
        return new Status(snapshotDone, lag, readiness, projected, ready, verifier == null ? VALUES_UNJUDGED : null);
    }

    /** Every family, nothing sampled: what a gate without a database reports in place of a verification. */
    private VerifyReport unsampled() {
        return new VerifyReport(config.keyFamilies().stream().map(f -> new VerifyReport.Family(f.name(), 0, 0, 0, 0, 0,
                null, List.of(), List.of(), List.of(), List.of(), null)).toList());
    }

    /**
     * A new database connection when the one held is gone: PostgreSQL restarted, or a failover or an idle timeout
     * ended the session. Without it every later check would fail the same way and readiness would never return.
     */
    private void reconnectIfBroken() throws SQLException {
        if (db == null || db.isValid(5)) {
            return;
        }
        try {
            db.close();
        } catch (SQLException ignored) {
            // it is broken already
        }
        PostgresSourceConfig pg = config.source().postgres();
        db = pg.endpoint().connect();
        verifier = new CacheVerifier(config, db, redis.sync(), schemas);
    }

    /** Whether every table was snapshotted whole: the local capture knows; elsewhere, its stored progress says. */
    private boolean snapshotDone() {
        if (config.source().fromDebeziumTopics()) {
            return true; // the deployment's snapshot is in its topics; lag and coverage judge how far it has come
        }
        PostgresCapture capture = warmer.capture();
        if (capture != null) {
            return capture.snapshotCompleted();
        }
        var stored = SnapshotProgressReader.read(config.kafka().clients(), config.kafka().topicPrefix());
        return config.tables().stream().allMatch(t -> stored.containsKey(t) && stored.get(t).state().done());
    }

    /** Where the capture has come: the local capture's, else what it stored. */
    private long capturePosition() {
        PostgresCapture capture = warmer.capture();
        return capture != null ? capture.acknowledgedPosition()
                : StoredOffsets.position(config.kafka().clients(), config.kafka().topicPrefix());
    }

    /**
     * A WAL position after the rows just read, and a logical decoding message beyond it, which the capture will
     * deliver (a quiet database would otherwise leave the capture below the position).
     */
    private long markWal() throws SQLException {
        long position;
        try (var st = db.prepareStatement("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn");
             var rs = st.executeQuery()) {
            rs.next();
            position = rs.getLong(1);
        }
        try (var st = db.prepareStatement("SELECT pg_logical_emit_message(false, 'warmer', 'mark')")) {
            st.executeQuery().close();
        }
        return position;
    }

    /** How long Redis takes to answer a PING on the gate's connection, in nanoseconds. */
    public long pingRedis() {
        long started = System.nanoTime();
        redis.sync().ping();
        return System.nanoTime() - started;
    }

    @Override
    public void close() throws Exception {
        redis.close();
        if (db != null) {
            db.close();
        }
        admin.close();
    }
}
