package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.change.ChangeTopics;
import io.warmer.config.WarmerConfig;
import io.warmer.embedded.EmbeddedRedis;
import io.warmer.runtime.ServiceMonitoring;
import io.warmer.rewarm.Rewarm;
import io.warmer.status.PublishedRewarm;
import io.warmer.testing.ExtraKeys;
import io.warmer.testing.FailoverCluster;
import io.warmer.testing.FullVerify;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerProcess;
import io.warmer.testing.WarmerInfrastructure;
import io.warmer.testkit.CacheAudit;
import io.warmer.testkit.Shop;
import io.warmer.testkit.ShopWrites;
import io.warmer.verify.VerifyReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis loses its data under a warm, ready service while the application writes: a FLUSHALL, and a restart of a
 * Redis without persistence. Nobody runs a command; the service notices, rebuilds the cache from the change topics
 * beside live streaming, shows it in {@code /ready}, and ends with every key exactly as the database says (an
 * independent audit), none missing, none extra.
 */
@ExtendWith(WarmerInfrastructure.class)
class RewarmIT {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final int CUSTOMERS = 3_000;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldRebuildTheCacheByItselfAfterAFlushall(TestInfra infra, @TempDir Path dir) throws Exception {
        EmbeddedRedis redis = EmbeddedRedis.start(dir, io.warmer.embedded.RedisServerExecutable.onPath().orElseThrow(
                () -> new IllegalStateException("redis-server is not on PATH; .ci/run installs it")));
        try {
            warmLoseAndRebuild(infra, redis.uri(), commands -> commands.flushall());
        } finally {
            redis.close();
        }
    }

    @Test
    void shouldRebuildTheCacheByItselfAfterARestartWithoutPersistence(TestInfra infra, @TempDir Path dir)
            throws Exception {
        Path server = io.warmer.embedded.RedisServerExecutable.onPath().orElseThrow(
                () -> new IllegalStateException("redis-server is not on PATH; .ci/run installs it"));
        EmbeddedRedis[] redis = {EmbeddedRedis.start(dir.resolve("first"), server)};
        int port = redis[0].port();
        try {
            warmLoseAndRebuild(infra, redis[0].uri(), commands -> {
                redis[0].close();
                redis[0] = EmbeddedRedis.start(dir.resolve("second"), server, port);
            });
        } finally {
            redis[0].close();
        }
    }

    /**
     * A master of a Redis Cluster dies after two seconds of writes its replica never got (the replica stopped with
     * SIGSTOP, its link cut); the replica is promoted with the older dataset. The service notices on that node, rebuilds, and verify
     * finds no drift.
     */
    @Test
    void shouldRebuildTheCacheByItselfAfterAFailoverToAReplicaThatMissedWrites(TestInfra infra) throws Exception {
        try (FailoverCluster cluster = FailoverCluster.start()) {
            TestDatabase db = infra.postgres().newDatabase();
            String prefix = infra.uniqueName("failover");
            try (var connection = db.connect()) {
                Shop.create(connection, CUSTOMERS);
            }
            WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db,
                    "{mode: cluster, uri: \"" + cluster.uri() + "\"}",
                    "{port: 0, check-interval: 500ms, ready: {min-coverage: 1.0, max-lag: 0, sample: 300}}",
                    Shop.families(prefix)));
            ShopWrites shop = new ShopWrites(db::connect, 100);
            RedisClusterClient client = RedisClusterClient.create(RedisURI.create("redis://127.0.0.1:"
                    + cluster.ports().get(0)));
            client.setOptions(ClusterClientOptions.builder().topologyRefreshOptions(ClusterTopologyRefreshOptions
                    .builder().enableAllAdaptiveRefreshTriggers().enablePeriodicRefresh(Duration.ofSeconds(2)).build())
                    .build());
            try (WarmerService warmer = WarmerService.start(config);
                 ServiceMonitoring monitoring = ServiceMonitoring.start(config, warmer,
                         ServiceMonitoring.configuredTargets(config.http()))) {
                URI base = monitoring.address().orElseThrow();
                await().atMost(WAIT).until(() -> get(base.resolve("ready")).statusCode() == 200);
                shop.start();
                Thread.sleep(1_000);

                RedisClusterNode master = client.getPartitions().stream()
                        .filter(n -> n.is(RedisClusterNode.NodeFlag.UPSTREAM)).findFirst().orElseThrow();
                RedisClusterNode replica = client.getPartitions().stream()
                        .filter(n -> master.getNodeId().equals(n.getSlaveOf())).findFirst().orElseThrow();
                long lostAt = System.currentTimeMillis();
                long killedAt;
                cluster.signal("STOP", replica.getUri().getPort());
                try {
                    // Cut the replication link (what was sent already still reaches the replica when it resumes),
                    // then the master takes writes its replica never gets, and dies.
                    RedisClient masterClient = RedisClient.create("redis://127.0.0.1:" + master.getUri().getPort());
                    try (var toMaster = masterClient.connect()) {
                        toMaster.sync().clientKill(io.lettuce.core.KillArgs.Builder.typeSlave());
                    } finally {
                        masterClient.shutdown();
                    }
                    Thread.sleep(2_000);
                    killedAt = System.currentTimeMillis();
                    cluster.kill(master.getUri().getPort());
                } finally {
                    cluster.signal("CONT", replica.getUri().getPort());
                }

                var commands = client.connect().sync();
                long[] doneAt = {0};
                await().atMost(WAIT).ignoreExceptions().until(() -> {
                    String done = commands.get(PublishedRewarm.doneKey(config.kafka().applicationId()));
                    doneAt[0] = done == null ? 0 : Long.parseLong(done);
                    return done != null && Long.parseLong(done) >= lostAt;
                });
                Thread.sleep(1_000);
                shop.stop();
                await().atMost(WAIT).until(() -> get(base.resolve("ready")).statusCode() == 200);
                // As an operator would once the node is gone for good: verify's client then has no dead node to try.
                cluster.forget(master.getNodeId(), master.getUri().getPort());
                VerifyReport report = FullVerify.report(config, db);
                if (report.drifted()) {
                    List<String> extra = report.families().stream().flatMap(f -> f.extraExamples().stream()).toList();
                    String topic = ChangeTopics.topicFor(config.kafka().topicPrefix(), config.families().get(0).table());
                    org.assertj.core.api.Assertions.fail("%s%nlost writes from %s, master killed at %s, rebuild done at"
                            + " %s; each extra key and its row's records:%s", report, Instant.ofEpochMilli(lostAt),
                            Instant.ofEpochMilli(killedAt), Instant.ofEpochMilli(doneAt[0]),
                            ExtraKeys.explain(commands, infra.kafkaBootstrapServers(), topic, extra, "customer:")
                                    + ExtraKeys.nodesHolding(cluster.ports(), extra) + cluster.logs(60));
                }
            } finally {
                shop.close();
                client.shutdown();
            }
        }
    }

    /**
     * The process that rebuilds is SIGKILLed in the middle of the rebuild, under live writes, and started again: the
     * counters show no new loss then, yet the rebuild it began is finished, and the audit is exact.
     */
    @Test
    void shouldFinishARebuildWhoseProcessWasKilled(TestInfra infra, @TempDir Path dir) throws Exception {
        EmbeddedRedis redis = EmbeddedRedis.start(dir, io.warmer.embedded.RedisServerExecutable.onPath().orElseThrow(
                () -> new IllegalStateException("redis-server is not on PATH; .ci/run installs it")));
        TestDatabase db = infra.postgres().newDatabase();
        String prefix = infra.uniqueName("rewarm-kill");
        try (var connection = db.connect()) {
            Shop.create(connection, 4 * CUSTOMERS);
        }
        String yaml = TestConfigs.yaml(infra, db, "{uri: \"" + redis.uri() + "\"}",
                "{port: 0, check-interval: 500ms, ready: {min-coverage: 1.0, max-lag: 0, sample: 300}}",
                Shop.families(prefix));
        String application = TestConfigs.parse(yaml).kafka().applicationId();
        Path config = java.nio.file.Files.writeString(dir.resolve("warmer.yml"), yaml);
        RedisClient client = RedisClient.create(redis.uri());
        ShopWrites shop = new ShopWrites(db::connect, 100);
        try (var connection = client.connect()) {
            RedisCommands<String, String> commands = connection.sync();
            WarmerProcess first = WarmerProcess.start(config, dir, "first");
            first.awaitReady(WAIT);
            shop.start();
            Thread.sleep(1_000);
            long lostAt = System.currentTimeMillis();
            commands.flushall();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> commands.get(PublishedRewarm.claimKey(application)) != null);
            first.kill();
            assertThat(commands.get(PublishedRewarm.doneKey(application))).as("killed before the rebuild ended")
                    .isNull();

            try (WarmerProcess second = WarmerProcess.start(config, dir, "second")) {
                await().atMost(WAIT).until(() -> {
                    String done = commands.get(PublishedRewarm.doneKey(application));
                    return done != null && Long.parseLong(done) >= lostAt;
                });
                shop.stop();
                second.awaitReady(WAIT);
                try (var database = db.connect()) {
                    CacheAudit.Result audit = CacheAudit.run(database, commands, Shop.expectation(prefix));
                    assertThat(audit.exact()).as("the database against Redis: %s", audit).isTrue();
                }
            }
        } finally {
            shop.close();
            client.shutdown();
            redis.close();
        }
    }

    /**
     * The topics hold many records of every row (none compacted yet) when Redis loses its data under live writes: a
     * reader polling every key during the rebuild never sees a value older than the row was at the loss, nor a
     * joined value with fewer joined rows than it had then (they only grow here). The rebuild is slowed by its rate
     * limit, so that the reader sees it key by key.
     */
    @Test
    void shouldNeverShowAnOlderValueWhileRebuilding(TestInfra infra, @TempDir Path dir) throws Exception {
        int rows = 300;
        int rounds = 25;
        EmbeddedRedis redis = EmbeddedRedis.start(dir, io.warmer.embedded.RedisServerExecutable.onPath().orElseThrow(
                () -> new IllegalStateException("redis-server is not on PATH; .ci/run installs it")));
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE counters (id serial PRIMARY KEY, seq bigint NOT NULL DEFAULT 0, label text)",
                "CREATE TABLE ticks (id serial PRIMARY KEY, counter_id int NOT NULL REFERENCES counters(id),"
                        + " at timestamptz NOT NULL DEFAULT now())",
                "CREATE INDEX ON ticks (counter_id)",
                "INSERT INTO counters (label) SELECT 'counter ' || i FROM generate_series(1, " + rows + ") i");
        String prefix = infra.uniqueName("rewarm-order");
        WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db,
                "{uri: \"" + redis.uri() + "\", rewarm: {rate: 4000}}",
                "{port: 0, check-interval: 500ms, ready: {min-coverage: 1.0, max-lag: 0, sample: 300}}",
                """
                  - {name: counter, table: counters, key: "%1$s:counter:${id}"}
                  - name: counter-ticks
                    table: counters
                    key: "%1$s:counter:${id}:ticks"
                    columns: [id]
                    join:
                      - {table: ticks, on: {counter_id: id}, as: ticks, columns: [id], many: true}
                """.formatted(prefix)));
        String[] keys = new String[2 * rows];
        for (int id = 1; id <= rows; id++) {
            keys[2 * (id - 1)] = prefix + ":counter:" + id;
            keys[2 * (id - 1) + 1] = prefix + ":counter:" + id + ":ticks";
        }
        RedisClient client = RedisClient.create(redis.uri());
        AtomicBoolean writing = new AtomicBoolean(true);
        try (WarmerService warmer = WarmerService.start(config); var connection = client.connect()) {
            RedisCommands<String, String> commands = connection.sync();
            await().atMost(WAIT).until(() -> commands.exists(keys) == keys.length);
            for (int round = 0; round < rounds; round++) {
                db.execute("UPDATE counters SET seq = seq + 1",
                        "INSERT INTO ticks (counter_id) SELECT id FROM counters");
            }
            // The floor every value must stay at or above from now on: what the database holds before the loss.
            long[] seq = new long[rows + 1];
            long[] ticks = new long[rows + 1];
            try (var database = db.connect(); var st = database.createStatement();
                 var rs = st.executeQuery("SELECT c.id, c.seq, (SELECT count(*) FROM ticks t WHERE t.counter_id = c.id)"
                         + " FROM counters c")) {
                while (rs.next()) {
                    seq[rs.getInt(1)] = rs.getLong(2);
                    ticks[rs.getInt(1)] = rs.getLong(3);
                }
            }
            // Every key, not only the last: the families' partitions catch up independently, so one key at the floor
            // says nothing about another, and a value still lagging at the loss is no regression of the rebuild.
            await().atMost(WAIT).until(() -> olderThan(commands.mget(keys), keys, seq, ticks, 1).isEmpty());
            Thread writer = new Thread(() -> {
                try {
                    while (writing.get()) {
                        long id = 1 + java.util.concurrent.ThreadLocalRandom.current().nextInt(rows);
                        db.execute("UPDATE counters SET seq = seq + 1 WHERE id = " + id,
                                "INSERT INTO ticks (counter_id) VALUES (" + id + ")");
                        Thread.sleep(10);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("the writer stopped", e);
                }
            }, "writer");
            writer.start();

            long lostAt = System.currentTimeMillis();
            commands.flushall();
            java.util.List<String> older = new java.util.ArrayList<>();
            long seen = 0;
            while (true) {
                String done = commands.get(PublishedRewarm.doneKey(config.kafka().applicationId()));
                if (done != null && Long.parseLong(done) >= lostAt) {
                    break;
                }
                assertThat(System.currentTimeMillis() - lostAt).as("rebuilt in time").isLessThan(WAIT.toMillis());
                var values = commands.mget(keys);
                seen += values.stream().filter(io.lettuce.core.Value::hasValue).count();
                if (older.size() < 10) {
                    older.addAll(olderThan(values, keys, seq, ticks, 10 - older.size()));
                }
            }
            writing.set(false);
            writer.join();
            assertThat(seen).as("values read during the rebuild").isPositive();
            assertThat(older).as("values older than the database held at the loss").isEmpty();
            await().atMost(WAIT).untilAsserted(() -> assertThat(FullVerify.assertNoDrift(config, db).drifted())
                    .isFalse());
        } finally {
            writing.set(false);
            client.shutdown();
            redis.close();
        }
    }

    /** The values below the floor (a counter's seq, its number of ticks), at most {@code limit}; absent keys are not. */
    private static java.util.List<String> olderThan(java.util.List<io.lettuce.core.KeyValue<String, String>> values,
            String[] keys, long[] seq, long[] ticks, int limit) throws Exception {
        java.util.List<String> older = new java.util.ArrayList<>();
        for (int i = 0; i < values.size() && older.size() < limit; i++) {
            if (!values.get(i).hasValue()) {
                continue;
            }
            int id = 1 + i / 2;
            var value = io.warmer.change.RowChangeCodec.json().readTree(values.get(i).getValue());
            boolean stale = i % 2 == 0 ? value.path("seq").asLong() < seq[id] : value.path("ticks").size() < ticks[id];
            if (stale) {
                older.add(keys[i] + " = " + values.get(i).getValue());
            }
        }
        return older;
    }

    private interface Loss {
        void cause(RedisCommands<String, String> redis) throws Exception;
    }

    private void warmLoseAndRebuild(TestInfra infra, String redisUri, Loss loss) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        String prefix = infra.uniqueName("rewarm");
        try (var connection = db.connect()) {
            Shop.create(connection, CUSTOMERS);
        }
        WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db, "{uri: \"" + redisUri + "\"}",
                "{port: 0, check-interval: 500ms, ready: {min-coverage: 1.0, max-lag: 0, sample: 300}}",
                Shop.families(prefix)));
        RedisClient client = RedisClient.create(redisUri);
        ShopWrites shop = new ShopWrites(db::connect, 100);
        try (WarmerService warmer = WarmerService.start(config);
             ServiceMonitoring monitoring = ServiceMonitoring.start(config, warmer,
                     ServiceMonitoring.configuredTargets(config.http()))) {
            URI base = monitoring.address().orElseThrow();
            await().atMost(WAIT).until(() -> get(base.resolve("ready")).statusCode() == 200);
            shop.start();
            Thread.sleep(1_500);

            long lostAt = System.currentTimeMillis();
            RedisCommands<String, String> commands = client.connect().sync(); // reconnects after a restart
            loss.cause(commands);
            AtomicBoolean sawRebuild = new AtomicBoolean();
            await().atMost(WAIT).until(() -> {
                if (warmer.rewarm().state() == Rewarm.State.REWARMING) {
                    sawRebuild.set(true);
                }
                HttpResponse<String> health = get(base.resolve("health"));
                assertThat(health.statusCode()).as("/health stays up: %s", health.body()).isEqualTo(200);
                String done = commands.get(PublishedRewarm.doneKey(config.kafka().applicationId()));
                return done != null && Long.parseLong(done) >= lostAt;
            });
            assertThat(sawRebuild).as("the service showed the rebuild").isTrue();

            Thread.sleep(1_000);
            shop.stop();
            await().atMost(WAIT).until(() -> get(base.resolve("ready")).statusCode() == 200);
            try (var database = db.connect()) {
                CacheAudit.Result audit = CacheAudit.run(database, commands, Shop.expectation(prefix));
                assertThat(audit.exact()).as("the database against Redis: %s", audit).isTrue();
                assertThat(audit.keys()).isGreaterThan(5L * CUSTOMERS);
            }
        } finally {
            shop.close();
            client.shutdown();
        }
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
