package io.warmer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.warmer.service.WarmerService;
import io.warmer.change.RowChangeCodec;
import io.warmer.status.PublishedCounters;
import io.warmer.testing.Cli;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `warmer replay --target-prefix v3` builds the next key version from the topics beside the live service. */
@ExtendWith(WarmerInfrastructure.class)
class ReplayIT {

    private static final int ROWS = 30;

    @Test
    void shouldBuildTheLiveFamilysKeysUnderTheNewPrefixWhileLiveUpdatesContinue(TestInfra infra, @TempDir Path dir)
            throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, seq int NOT NULL DEFAULT 0)",
                "INSERT INTO users SELECT i, 'user ' || i, 0 FROM generate_series(1, " + ROWS + ") i");
        String p = infra.uniqueName("rp");
        String yaml = TestConfigs.yaml(infra, db, "  - {name: profile, table: users, key: \"v2:" + p + ":user:${id}\"}\n");
        Path config = dir.resolve("warmer.yml");
        Files.writeString(config, yaml);
        RedisClient client = RedisClient.create(infra.redisUri());
        AtomicBoolean updating = new AtomicBoolean(true);
        try (WarmerService live = WarmerService.start(TestConfigs.parse(yaml)); var connection = client.connect()) {
            var redis = connection.sync();
            await().atMost(Duration.ofSeconds(90)).until(() -> redis.keys("v2:" + p + ":*").size() == ROWS);
            Thread updater = new Thread(() -> {
                while (updating.get()) {
                    db.execute("UPDATE users SET seq = seq + 1 WHERE id <= 10"); // rows 11.. stay as they are
                }
            }, "updater");
            updater.start();

            Cli.Result replay = Cli.run("replay", "--config", config.toString(), "--family", "profile", "--target-prefix", "v3");
            updating.set(false);
            updater.join();

            assertThat(replay.exit()).as(replay.out() + replay.err()).isZero();
            assertThat(replay.out()).contains("replay: caught up;");
            Set<String> v2 = redis.keys("v2:" + p + ":*").stream().map(k -> k.substring(3)).collect(Collectors.toSet());
            Set<String> v3 = redis.keys("v3:" + p + ":*").stream().map(k -> k.substring(3)).collect(Collectors.toSet());
            assertThat(v3).isEqualTo(v2);
            for (int id = 11; id <= ROWS; id++) {
                assertThat(redis.get("v3:" + p + ":user:" + id)).isEqualTo(redis.get("v2:" + p + ":user:" + id));
            }

            Cli.Result machine = Cli.run("replay", "--config", config.toString(), "--target-prefix", "v4", "--json");
            assertThat(machine.exit()).as(machine.err()).isZero();
            var report = RowChangeCodec.json().readTree(machine.out());
            assertThat(report.path("written").asLong()).isGreaterThanOrEqualTo(ROWS);
            assertThat(report.path("recordsPerSecond").asDouble()).isPositive();
            String applicationId = TestConfigs.parse(yaml).kafka().applicationId();
            assertThat(redis.keys(PublishedCounters.keyOf(applicationId + "-replay-*").replace("{", "\\{")))
                    .as("the replays' counters are removed").isEmpty();
            assertThat(redis.exists(PublishedCounters.keyOf(applicationId))).as("the live service's stay").isOne();
        } finally {
            updating.set(false);
            client.shutdown();
        }
    }

    @Test
    void shouldRefuseATargetPrefixForATemplateWithoutALeadingSegment(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        Path config = dir.resolve("warmer.yml");
        Files.writeString(config, TestConfigs.yaml(infra, db, "  - {name: profile, table: users, key: \"${id}:profile\"}\n"));

        Cli.Result replay = Cli.run("replay", "--config", config.toString(), "--target-prefix", "v3");

        assertThat(replay.exit()).isEqualTo(2);
        assertThat(replay.err()).contains("--target-prefix: key template '${id}:profile' does not start with a literal segment");
    }
}
