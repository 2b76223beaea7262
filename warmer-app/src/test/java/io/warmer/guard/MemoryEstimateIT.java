package io.warmer.guard;

import static io.warmer.guard.EvictionGuardIT.countKeys;
import static io.warmer.guard.EvictionGuardIT.fillWithOldKeys;
import static io.warmer.guard.EvictionGuardIT.info;
import static io.warmer.guard.EvictionGuardIT.tableOfDocs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warmer.redis.Redis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.config.WarmerConfig;
import io.warmer.embedded.EmbeddedRedis;
import io.warmer.service.WarmerService;
import io.warmer.testing.Cli;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The estimate before a warm-up, on private Redis servers: one too small for the new keys, one with room. */
@ExtendWith(WarmerInfrastructure.class)
class MemoryEstimateIT {

    private EmbeddedRedis private_;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void startAPrivateRedis(@TempDir Path dir) {
        private_ = EmbeddedRedis.start(dir.resolve("redis"));
        client = RedisClient.create(private_.uri());
        connection = client.connect();
        redis = connection.sync();
        redis.configSet("maxmemory-policy", "allkeys-lru");
    }

    @AfterEach
    void stopRedis() {
        connection.close();
        client.shutdown();
        private_.close();
    }

    private String config(TestInfra infra, TestDatabase db, String families) {
        return TestConfigs.yaml(infra, db, "{uri: \"" + private_.uri() + "\"}", families);
    }

    @Test
    void shouldWarnBeforeWarmingWhatDoesNotFitAndShowThePauseInTheProgressLines(TestInfra infra, @TempDir Path dir)
            throws Exception {
        redis.configSet("maxmemory", EvictionGuardIT.MAXMEMORY);
        fillWithOldKeys(redis, EvictionGuardIT.OLD_KEYS_FILL);
        TestDatabase db = tableOfDocs(infra, EvictionGuardIT.ROWS);
        Path config = dir.resolve("warmer.yml");
        Files.writeString(config, config(infra, db, "  - {name: docs, table: docs, key: \"" + infra.uniqueName("est")
                + ":doc:${id}\", columns: [body]}\n"));

        Cli.Result warmup = Cli.run("warmup", "--config", config.toString(), "--timeout", "15s");

        assertThat(warmup.exit()).as(warmup.out() + warmup.err()).isEqualTo(1);
        assertThat(warmup.out()).contains(String.format("estimate: docs: %,d rows, %<,d entries, 0%% already in Redis:"
                        + " ~%<,d new entries of ~", EvictionGuardIT.ROWS), " (MEMORY USAGE of 20 probe entries) = ~",
                "estimate: Redis at " + private_.host() + ":" + private_.port() + ": used_memory ",
                "WARNING: the new entries will not fit in Redis at " + private_.host() + ":" + private_.port()
                        + ": they need ~", " of maxmemory 16.0 MiB, policy allkeys-lru). With maxmemory-policy allkeys-lru"
                        + " Redis will evict existing keys", "raise maxmemory by at least ");
        // A progress line says so, whether the capture is still reading the table or done with it (it reads 24,000
        // rows in about as long as the first line takes).
        assertThat(warmup.out().lines().filter(l -> l.startsWith("warmup: ") && l.endsWith(", paused: Redis is evicting")))
                .isNotEmpty();
        assertThat(warmup.err()).startsWith("error: not ready after 15s: ").contains(", paused: Redis is evicting");
        assertThat(countKeys(redis, MemoryEstimate.PROBE_PREFIX + "*")).as("probe keys left").isZero();
    }

    @Test
    void shouldSayItFitsWithin15PercentOfWhatTheKeysThenTakeAndNeedNothingOnceTheyAreThere(TestInfra infra) throws Exception {
        redis.configSet("maxmemory", "64mb");
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, tier text NOT NULL, bio text)",
                "INSERT INTO users SELECT i, 'user ' || i, CASE WHEN i % 4 = 0 THEN 'pro' ELSE 'free' END,"
                        + " repeat('b', 100 + i % 400) FROM generate_series(1, 8000) i");
        String p = infra.uniqueName("est");
        WarmerConfig config = TestConfigs.parse(config(infra, db, """
                  - {name: profile, table: users, key: ["%1$s:v2:user:${id}", "%1$s:user:${id}"], ttl: 1h}
                  - {name: pro, table: users, key: "%1$s:pro:${id}", where: {tier: pro}, value: hash,
                     columns: [name, bio], fencing: false}
                """.formatted(p)));
        long usedBefore = info(redis, "memory", "used_memory");

        MemoryReport before = estimate(config);

        assertThat(before.verdict()).isEqualTo(MemoryReport.Verdict.FITS);
        assertThat(before.lines()).last().asString().startsWith("estimate: fits: the new entries need ~");
        assertThat(before.families()).extracting(MemoryReport.FamilyNeed::entries)
                .as("two keys a row; a quarter of the rows are pro, give or take four deviations of a 200-row sample")
                .satisfies(entries -> {
                    assertThat(entries.get(0)).isEqualTo(16_000);
                    assertThat(entries.get(1)).isBetween(1_000L, 3_000L);
                });
        assertThat(countKeys(redis, MemoryEstimate.PROBE_PREFIX + "*")).as("probe keys left").isZero();

        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> countKeys(redis, p + ":*") == 16_000 + 2_000);
        }
        long grew = info(redis, "memory", "used_memory") - usedBefore;
        assertThat((double) before.needed()).as("estimated %,d bytes; Redis grew by %,d", before.needed(), grew)
                .isBetween(0.85 * grew, 1.15 * grew); // 98% here

        MemoryReport after = estimate(config);

        assertThat(after.families()).allSatisfy(f -> assertThat(f.presentShare()).isEqualTo(1.0));
        assertThat(after.needed()).isZero();
        assertThat(after.families().get(0).measuredBy()).startsWith("MEMORY USAGE of ").endsWith(" entries already in Redis");
    }

    private static MemoryReport estimate(WarmerConfig config) throws java.sql.SQLException {
        try (Redis process = Redis.of(config.redis())) {
            return MemoryEstimate.of(config, process);
        }
    }
}
