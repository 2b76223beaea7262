package io.warmer.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.warmer.config.WarmerConfig;
import io.warmer.service.WarmerService;
import io.warmer.testing.Cli;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `warmer verify` finds exactly the drift injected into a warm cache: one missing, one stale, one extra key. */
@ExtendWith(WarmerInfrastructure.class)
class VerifyIT {

    private static Cli.Result verify(Path config, String... options) {
        String[] args = new String[options.length + 3];
        args[0] = "verify";
        args[1] = "--config";
        args[2] = config.toString();
        System.arraycopy(options, 0, args, 3, options.length);
        Cli.Result result = Cli.run(args);
        return new Cli.Result(result.exit(), result.out() + result.err(), "");
    }

    @Test
    void shouldReportExactlyTheInjectedMissingStaleAndExtraKeys(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text, born date, seen timestamptz, score numeric(5,2),"
                        + " doc jsonb, tier text)",
                "INSERT INTO users SELECT i, 'user ' || i, DATE '2000-01-01' + i, TIMESTAMPTZ '2024-01-01 12:00:00.5+00' + i * INTERVAL '1 hour',"
                        + " i * 0.25, jsonb_build_object('n', i), CASE WHEN i % 2 = 0 THEN 'pro' ELSE 'free' END"
                        + " FROM generate_series(1, 30) i");
        String p = infra.uniqueName("vf");
        String yaml = TestConfigs.yaml(infra, db, """
                  - {name: profile, table: users, key: "%s:user:${id}", ttl: 1h}
                  - {name: pro, table: users, key: "%s:pro:${id}", where: {tier: pro}, value: hash, columns: [name, tier]}
                """.formatted(p, p));
        WarmerConfig config = TestConfigs.parse(yaml);
        Path file = dir.resolve("warmer.yml");
        Files.writeString(file, yaml);
        RedisClient client = RedisClient.create(infra.redisUri());
        try (var connection = client.connect()) {
            var redis = connection.sync();
            try (WarmerService warmer = WarmerService.start(config)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> redis.keys(p + ":*").size() == 30 + 15);
            }

            Cli.Result clean = verify(file, "--full");
            assertThat(clean.exit()).as(clean.out()).isZero();
            assertThat(clean.out()).contains("profile: 30 rows checked, 0 missing, 0 stale, 0 extra", "verify: no drift");

            redis.del(p + ":user:1");
            redis.set(p + ":user:2", "{\"id\":2,\"name\":\"someone else\"}");
            redis.set(p + ":user:999", "{\"id\":999}");
            redis.hset(p + ":pro:3", "name", "user 3"); // user 3 is not pro: must have no entry

            Cli.Result drift = verify(file, "--full");
            assertThat(drift.exit()).as(drift.out()).isEqualTo(1);
            assertThat(drift.out()).contains("profile: 30 rows checked, 1 missing, 1 stale, 1 extra",
                    "  missing: " + p + ":user:1", "  stale:   " + p + ":user:2 holds", "  extra:   " + p + ":user:999",
                    "pro: 30 rows checked, 0 missing, 1 stale, 0 extra", "verify: DRIFT");

            Cli.Result sampled = verify(file, "--sample", "5");
            assertThat(sampled.out()).contains("profile: 5 rows checked", "extra keys not looked for (use --full)");
        } finally {
            client.shutdown();
        }
    }

    /**
     * A table twenty times larger than the sample is sampled by pages, and a joined table is read only for the
     * sampled rows: the comparison must be as exact as reading everything.
     */
    @Test
    void shouldCompareASampleOfALargeTableWithItsJoinExactly(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "CREATE TABLE settings (user_id bigint PRIMARY KEY, theme text)",
                "INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, 6000) i",
                "INSERT INTO settings SELECT i, CASE WHEN i % 2 = 0 THEN 'dark' ELSE 'light' END FROM generate_series(1, 6000) i",
                "ANALYZE users", "ANALYZE settings");
        String p = infra.uniqueName("vs");
        String yaml = TestConfigs.yaml(infra, db, """
                  - name: profile
                    table: users
                    key: "%s:user:${id}"
                    join:
                      - {table: settings, on: {user_id: id}, as: settings, columns: [theme]}
                """.formatted(p));
        WarmerConfig config = TestConfigs.parse(yaml);
        Path file = dir.resolve("warmer.yml");
        Files.writeString(file, yaml);
        RedisClient client = RedisClient.create(infra.redisUri());
        try (var connection = client.connect()) {
            var redis = connection.sync();
            try (WarmerService warmer = WarmerService.start(config)) {
                // Every value holds its settings once the joined side is assembled too: a sample that read the
                // joined rows wrongly would keep finding stale values.
                await().atMost(Duration.ofSeconds(90)).until(() -> redis.keys(p + ":*").size() == 6000
                        && redis.keys(p + ":*").stream().allMatch(k -> redis.get(k).contains("\"theme\"")));
                Cli.Result sampled = verify(file, "--sample", "100");
                assertThat(sampled.exit()).as(sampled.out()).isZero();
                assertThat(sampled.out()).contains("profile: 100 rows checked, 0 missing, 0 stale");
            }

            for (int id = 3; id <= 6000; id += 3) {
                redis.del(p + ":user:" + id);
            }
            Cli.Result drift = verify(file, "--sample", "300");
            assertThat(drift.exit()).as(drift.out()).isEqualTo(1);
            assertThat(drift.out()).containsPattern("profile: 300 rows checked, ([0-9]+) missing, 0 stale");
        } finally {
            client.shutdown();
        }
    }
}
