package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.warmer.change.ChangeTopics;
import io.warmer.config.WarmerConfig;
import io.warmer.status.ConsumerProgress;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replay of the change topics from offset 0, beside the live pipeline and while rows keep changing,
 * must never put an older value over a newer one: fencing by row version.
 */
@ExtendWith(WarmerInfrastructure.class)
class StaleReplayIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ROWS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldNeverLetAReplayMoveAKeyBackwards(TestInfra infra) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE hot (id bigint PRIMARY KEY, seq bigint NOT NULL)",
                "INSERT INTO hot SELECT i, 0 FROM generate_series(1, " + ROWS + ") i");
        String prefix = infra.uniqueName("hot");
        String yaml = TestConfigs.yaml(infra, db, "  - {name: hot, table: hot, key: \"" + prefix + ":${id}\"}\n");
        WarmerConfig live = TestConfigs.parse(yaml);
        // The same topics, read again from offset 0 by another consumer group.
        WarmerConfig replay = TestConfigs.parse(yaml.replace("application-id: " + live.kafka().applicationId(),
                "application-id: " + infra.uniqueName("replay_app")));

        RedisClient client = RedisClient.create(infra.redisUri());
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong backwards = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        try (WarmerService liveWarmer = WarmerService.start(live); var redis = client.connect()) {
            await().atMost(WAIT).until(() -> redis.sync().keys(prefix + ":*").size() == ROWS);
            Thread updater = new Thread(() -> updateUntilStopped(db, running), "updater");
            Thread monitor = new Thread(() -> watchForBackwardSteps(client, prefix, running, backwards, reads), "monitor");
            updater.start();
            monitor.start();
            Thread.sleep(3_000); // many versions of every row on the topics

            try (WarmerService replayer = WarmerService.replay(replay, liveWarmer.redis())) {
                awaitCaughtUp(infra, replay, replayer);
                running.set(false);
                updater.join();
                monitor.join();
                awaitCaughtUp(infra, live, liveWarmer);
                awaitCaughtUp(infra, replay, replayer);

                assertThat(reads.get()).as("reads by the monitor").isGreaterThan(100);
                assertThat(backwards.get()).as("reads that saw a key go back to an older value").isZero();
                Map<Long, Long> truth = databaseSeqs(db);
                // The last updates may still be on their way through the capture: equal in the end.
                await().atMost(WAIT).untilAsserted(() -> assertThat(cachedSeqs(redis.sync(), prefix)).isEqualTo(truth));
                assertThat(replayer.counters().fenced()).as("stale writes the replay attempted").isPositive();
            }
        } finally {
            running.set(false);
            client.shutdown();
        }
    }

    private static void updateUntilStopped(TestDatabase db, AtomicBoolean running) {
        try (Connection connection = db.connect();
             PreparedStatement st = connection.prepareStatement("UPDATE hot SET seq = seq + 1 WHERE id = ?")) {
            while (running.get()) {
                st.setLong(1, 1 + ThreadLocalRandom.current().nextInt(ROWS));
                st.executeUpdate();
                Thread.sleep(2);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the updater stopped", e);
        }
    }

    private static void watchForBackwardSteps(RedisClient client, String prefix, AtomicBoolean running,
                                              AtomicLong backwards, AtomicLong reads) {
        Map<Long, Long> highest = new HashMap<>();
        try (var connection = client.connect()) {
            while (running.get()) {
                for (long id = 1; id <= ROWS; id++) {
                    String value = connection.sync().get(prefix + ":" + id);
                    if (value == null) {
                        continue;
                    }
                    long seq = JSON.readTree(value).get("seq").asLong();
                    reads.incrementAndGet();
                    if (seq < highest.getOrDefault(id, Long.MIN_VALUE)) {
                        backwards.incrementAndGet();
                    }
                    highest.merge(id, seq, Math::max);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("the monitor stopped", e);
        }
    }

    private static void awaitCaughtUp(TestInfra infra, WarmerConfig config, WarmerService warmer) throws Exception {
        List<String> topics = config.tables().stream()
                .map(t -> ChangeTopics.topicFor(config.kafka().topicPrefix(), t)).toList();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers()))) {
            var progress = new ConsumerProgress(admin, config.kafka().applicationId());
            var mark = progress.endOffsets(topics);
            await().atMost(WAIT).until(() -> progress.behind(mark) == 0 && !warmer.failure().isDone());
        }
    }

    private static Map<Long, Long> cachedSeqs(io.lettuce.core.api.sync.RedisCommands<String, String> redis, String prefix)
            throws Exception {
        Map<Long, Long> seqs = new HashMap<>();
        for (long id = 1; id <= ROWS; id++) {
            seqs.put(id, JSON.readTree(redis.get(prefix + ":" + id)).get("seq").asLong());
        }
        return seqs;
    }

    private static Map<Long, Long> databaseSeqs(TestDatabase db) throws Exception {
        Map<Long, Long> seqs = new HashMap<>();
        try (Connection connection = db.connect();
             ResultSet rs = connection.createStatement().executeQuery("SELECT id, seq FROM hot")) {
            while (rs.next()) {
                seqs.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return seqs;
    }
}
