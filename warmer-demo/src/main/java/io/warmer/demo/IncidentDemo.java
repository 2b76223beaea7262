package io.warmer.demo;

import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.capture.PostgresPreflight;
import io.warmer.change.ChangeTopics;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.console.ProgressLine;
import io.warmer.embedded.EmbeddedKafka;
import io.warmer.embedded.EmbeddedPostgres;
import io.warmer.embedded.EmbeddedRedis;
import io.warmer.runtime.ServiceMonitoring;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import io.warmer.runtime.WarmerRuntime;
import io.warmer.service.Role;
import io.warmer.status.ConsumerProgress;
import io.warmer.service.WarmerService;
import io.warmer.topology.WarmerTopology;
import io.warmer.verify.CacheVerifier;
import io.warmer.verify.ProjectedHitRate;
import io.warmer.verify.VerifyReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;

/**
 * Replays the incident on embedded servers: a database of users, Redis holding the old keys, Warmer
 * filling the new keys while the application keeps writing, then the cutover, read back through
 * the new key format and compared with the database.
 */
public final class IncidentDemo {

    /** Bounds every wait, so a broken build fails the demo instead of hanging it. */
    private static final Duration WARM_UP_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(90);

    private final DemoOptions options;
    private final PrintWriter out;
    private final ProgressLine progress;

    public IncidentDemo(DemoOptions options, PrintWriter out, boolean terminal) {
        this.options = options;
        this.out = out;
        this.progress = new ProgressLine(out, terminal);
    }

    /** @return whether the cutover met the target: hit rate at least the minimum and nothing stale */
    public boolean run() throws IOException, SQLException, InterruptedException {
        Path workDir = Files.createTempDirectory("warmer-demo");
        say("starting embedded PostgreSQL, Kafka and Redis in %s ...", workDir);
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(workDir.resolve("postgres"));
             EmbeddedKafka kafka = EmbeddedKafka.start(workDir.resolve("kafka"));
             EmbeddedRedis redisServer = EmbeddedRedis.start(workDir.resolve("redis"));
             Connection db = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             Connection workloadDb = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            WarmerConfig config = demoConfig(pg, kafka, redisServer).with(options.http());
            Redis process = Redis.of(config.redis());
            try (RedisConnection<String, String> redis = process.connect()) {
                return replay(config, process, db, workloadDb, redis);
            } finally {
                process.close(); // also when the demo failed before the runtime took it over
            }
        }
    }

    /**
     * @param process the process's Redis, which the runtime takes over
     * @param redis   the demo application's own connection: it fills the old keyspace, and reads as the application
     */
    private boolean replay(WarmerConfig config, Redis process, Connection db, Connection workloadDb,
                           RedisConnection<String, String> redis)
            throws SQLException, InterruptedException {
        int users = options.users();
        long rows = 3L * users;
        DemoDatabase.createAndSeed(db, users);
        OldKeyspace.fill(redis, users);
        say("database: %,d users (%,d rows); Redis: %,d keys in the old format user:{id}:...", users, rows, rows);

        DemoWorkload workload = new DemoWorkload(workloadDb, users + 1L);
        List<String> topics = config.tables().stream()
                .map(t -> ChangeTopics.topicFor(config.kafka().topicPrefix(), t)).toList();
        List<List<String>> routes = WarmerTopology.joinRouteTiers(config);
        // Each family writes its new key and, during the rollout, its legacy one.
        long keys = (long) users * config.families().stream().mapToInt(f -> f.key().size()).sum();
        long started = System.nanoTime();
        try (WarmerRuntime runtime = WarmerRuntime.start(config, process, Role.ALL);
             Admin admin = ChangeTopicProvisioner.connect(config.kafka().clients())) {
            WarmerService warmer = runtime.service();
            ServiceMonitoring monitoring = runtime.monitoring();
            monitoring.address().ifPresent(address -> say("warmer: status page at %s", address));
            ConsumerProgress progressOfWarmer = new ConsumerProgress(admin, config.kafka().applicationId());
            workload.start();
            say("warmer: capturing %s; the application keeps writing meanwhile", config.tables());
            // Warm when every record on the topics at the end of the snapshot is in Redis.
            awaitOrFail("the snapshot", WARM_UP_TIMEOUT, () -> {
                showProgress(warmer, workload, keys, started);
                return warmer.capture().snapshotCompleted() || warmer.failure().isDone();
            });
            failIfStopped(warmer);
            var snapshotInRedis = progressOfWarmer.catchUp(progressOfWarmer.endOffsets(topics), routes);
            awaitOrFail("the snapshot to reach Redis", WARM_UP_TIMEOUT, () -> {
                showProgress(warmer, workload, keys, started);
                return snapshotInRedis.behind() == 0 || warmer.failure().isDone();
            });
            double warmUpSeconds = (System.nanoTime() - started) / 1e9;
            progress.finish(String.format("warm-up: %,d rows in %.1f s; changes keep streaming", rows, warmUpSeconds));
            failIfStopped(warmer);

            Thread.sleep(options.liveFor().toMillis());
            say("cutover: pausing application writes after %,d transactions; waiting for Warmer to catch up ...",
                    workload.transactions());
            long position = workload.pause();
            awaitOrFail("the capture of the last application change", CATCH_UP_TIMEOUT,
                    () -> warmer.capture().acknowledgedPosition() > position || warmer.failure().isDone());
            failIfStopped(warmer);
            var lastChangeInRedis = progressOfWarmer.catchUp(progressOfWarmer.endOffsets(topics), routes);
            awaitOrFail("the materializer to apply every change", CATCH_UP_TIMEOUT,
                    () -> lastChangeInRedis.behind() == 0 || warmer.failure().isDone());
            failIfStopped(warmer);

            CutoverCheck.Result result = CutoverCheck.run(db, redis.sync(), options.sample(), workload.deletedIds());
            result.examples().forEach(example -> say("  stale: %s", example));
            say("cutover: hit rate %.2f%% (%d/%d), stale %d, warm-up %.1f s (%,.0f rows/s)",
                    100 * result.hitRate(), result.hits(), result.reads(), result.stale(), warmUpSeconds,
                    rows / warmUpSeconds);
            boolean verified = verify(config, db, redis);
            // What `warmer verify --reads` reports: how the new code would have served production's reads.
            List<String> reads = OldKeyspace.recordedReads(DemoDatabase.randomUsers(db, options.sample()));
            say("%s", ProjectedHitRate.measure(config.keyFamilies(), reads, redis.sync()).describe());
            boolean met = result.hitRate() >= options.minHitRate() && result.stale() == 0 && verified;
            if (options.serve()) {
                serveUntilInterrupted(monitoring, workload);
            }
            return met;
        } finally {
            workload.stop();
        }
    }

    /**
     * Keeps everything running, the application writing again, until Ctrl-C or SIGTERM ends the JVM. Nothing here
     * outlives the demo (its servers' data is in a temporary directory), so the exit is not held up: the servers'
     * own guards stop them as the JVM exits.
     */
    private void serveUntilInterrupted(ServiceMonitoring monitoring, DemoWorkload workload) throws InterruptedException {
        workload.start();
        say("serving: the application keeps writing; watch %s (Ctrl-C stops)",
                monitoring.address().map(Object::toString).orElse("the log"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> say("stopping ..."), "demo-stop"));
        new CountDownLatch(1).await(); // until the JVM exits
    }

    /** The same check an operator runs, `warmer verify`, on a sample of every family. */
    private boolean verify(WarmerConfig config, Connection db, RedisConnection<String, String> redis)
            throws SQLException {
        var pg = config.source().postgres();
        var schemas = PostgresPreflight.check(pg.endpoint(), config.tables(), config.requiredColumns());
        VerifyReport report = new CacheVerifier(config, db, redis.sync(), schemas)
                .verify(options.sample(), System.currentTimeMillis());
        for (VerifyReport.Family family : report.families()) {
            say("verify: %s: %,d rows checked, %,d missing, %,d stale", family.name(), family.checked(), family.missing(),
                    family.stale());
            family.missingExamples().forEach(k -> say("  missing: %s", k));
            family.staleExamples().forEach(k -> say("  stale: %s", k));
        }
        return !report.drifted();
    }

    private void showProgress(WarmerService warmer, DemoWorkload workload, long keys, long started) {
        long written = Math.min(warmer.counters().puts(), keys);
        double seconds = (System.nanoTime() - started) / 1e9;
        progress.update(String.format("warming v2:user:{id}:...  %,d / %,d keys  %.0f%%  %,.0f keys/s  (%,d app transactions)",
                written, keys, 100.0 * written / keys, written / seconds, workload.transactions()));
    }

    private static WarmerConfig demoConfig(EmbeddedPostgres pg, EmbeddedKafka kafka, EmbeddedRedis redis) {
        String yaml = DemoDatabase.resource("demo-config.yml")
                .replace("{{pg.host}}", pg.host())
                .replace("{{pg.port}}", String.valueOf(pg.port()))
                .replace("{{pg.database}}", pg.database())
                .replace("{{pg.user}}", pg.user())
                .replace("{{kafka.bootstrap}}", kafka.bootstrapServers())
                .replace("{{redis.uri}}", redis.uri());
        String password = pg.password();
        return new ConfigLoader(name -> "WARMER_DEMO_PG_PASSWORD".equals(name) ? password : null)
                .parse(yaml, "demo-config.yml");
    }

    private static void failIfStopped(WarmerService warmer) {
        if (warmer.failure().isDone()) {
            throw new IllegalStateException("Warmer stopped on an error during the demo; see the log");
        }
    }

    /** A condition that may ask Kafka, and so may be interrupted. */
    private interface Condition {
        boolean holds() throws InterruptedException;
    }

    private static void awaitOrFail(String what, Duration timeout, Condition done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    private void say(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }
}
