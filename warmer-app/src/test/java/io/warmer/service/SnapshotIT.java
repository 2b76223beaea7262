package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.capture.snapshot.SnapshotProgress;
import io.warmer.change.TableId;
import io.warmer.change.Version;
import io.warmer.config.WarmerConfig;
import io.warmer.sink.FencedWrites;
import io.warmer.testing.Cli;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warmer's own snapshot on real servers: chunked, placed into the stream, and followed by the removal of keys that no
 * row accounts for, whether they are left by an earlier scheme, a gap in the stream or a truncate.
 */
@ExtendWith(WarmerInfrastructure.class)
class SnapshotIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ROWS = 250;
    private static final TableId USERS = TableId.parse("users");

    private TestInfra infra;
    private TestDatabase db;
    private String yaml;
    private WarmerConfig config;
    private String prefix;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void createTable(TestInfra infra) {
        this.infra = infra;
        db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO users (name) SELECT 'user ' || i FROM generate_series(1, " + ROWS + ") i");
        prefix = infra.uniqueName("snap");
        // Small chunks, so that the table is read in many.
        yaml = TestConfigs.yaml(infra, db, """
                  - name: profile
                    table: users
                    key: "%s:user:${id}"
                """.formatted(prefix))
                .replace("slot: ", "snapshot: {chunk-rows: 40}, slot: ");
        config = TestConfigs.parse(yaml);
        client = RedisClient.create(infra.redisUri());
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterEach
    void closeRedis() {
        connection.close();
        client.shutdown();
    }

    private String key(long id) {
        return prefix + ":user:" + id;
    }

    @Test
    void shouldSnapshotInChunksAndStoreTheProgress() {
        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).until(() -> swept(warmer));

            SnapshotProgress progress = warmer.capture().snapshotProgress().get(USERS);
            assertThat(progress.rows()).isEqualTo(ROWS);
            assertThat(progress.chunks()).as("250 rows in chunks of 40").isEqualTo(7);
            assertThat(redis.get(key(7))).isEqualTo("{\"id\":7,\"name\":\"user 7\"}");
            assertThat(redis.keys(prefix + ":user:*")).hasSize(ROWS);
        }
    }

    @Test
    void shouldRemoveKeysThatNoRowAccountsForOnceTheSnapshotIsComplete() {
        // What a capture of the earlier scheme left behind: a deleted row's key, and a value that missed a change.
        redis.set(key(9_999), "{\"id\":9999,\"name\":\"deleted long ago\"}");
        redis.set(FencedWrites.versionKeyOf(key(9_999)), Version.legacy(123).text());
        redis.set(key(5), "{\"id\":5,\"name\":\"stale\"}");
        redis.set(FencedWrites.versionKeyOf(key(5)), Version.legacy(0).text());

        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).until(() -> swept(warmer));

            assertThat(redis.exists(key(9_999))).as("the orphan").isZero();
            assertThat(redis.get(key(5))).isEqualTo("{\"id\":5,\"name\":\"user 5\"}");
            assertThat(warmer.capture().snapshotProgress().get(USERS).orphans()).containsEntry("profile", 1L);
        }
    }

    @Test
    void shouldSnapshotATableAgainWhenAsked(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("warmer.yml");
        Files.writeString(file, yaml);
        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).until(() -> swept(warmer));
            String first = warmer.capture().snapshotProgress().get(USERS).snapshot();
            redis.set(key(3), "{\"id\":3,\"name\":\"drifted\"}");
            redis.set(FencedWrites.versionKeyOf(key(3)), Version.legacy(0).text());

            Cli.Result result = Cli.run("snapshot", "--config", file.toString(), "--table", "users", "--timeout", "60s");

            assertThat(result.exit()).as(result.out() + result.err()).isZero();
            assertThat(result.out()).contains("snapshot of public.users: done, 250 rows in 7 chunks");
            assertThat(warmer.capture().snapshotProgress().get(USERS).snapshot()).isNotEqualTo(first);
            assertThat(redis.get(key(3))).isEqualTo("{\"id\":3,\"name\":\"user 3\"}");
        }
    }

    @Test
    void shouldRemoveMembersNoRowAccountsForFromASetOnceTheSnapshotIsComplete() {
        WarmerConfig sets = TestConfigs.parse(yaml.replace("""
                    key: "%s:user:${id}"
                """.formatted(prefix), """
                    key: "%s:parity:${id %% 2}"
                    value: set
                    member: id
                """.formatted(prefix)));
        String odd = prefix + ":parity:1";
        // A member of a row deleted while nothing captured, and one that is still there.
        redis.sadd(odd, "9999", "7");
        redis.hset(FencedWrites.versionKeyOf(odd), Map.of("9999", Version.legacy(123).text(), "7",
                Version.legacy(0).text()));

        try (WarmerService warmer = WarmerService.start(sets)) {
            await().atMost(WAIT).until(() -> swept(warmer));

            assertThat(redis.smembers(odd)).as("every odd id, and no orphan").hasSize(ROWS / 2)
                    .contains("7").doesNotContain("9999");
            assertThat(redis.scard(prefix + ":parity:0")).isEqualTo(ROWS / 2);
            assertThat(warmer.capture().snapshotProgress().get(USERS).orphans()).containsEntry("profile", 1L);
        }
    }

    @Test
    void shouldSnapshotEveryTableAgainWhenTheSlotWasLostWhileStopped() {
        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).until(() -> swept(warmer));
        }
        db.execute("SELECT pg_drop_replication_slot('" + config.source().postgres().slot() + "')",
                "DELETE FROM users WHERE id = 11", "UPDATE users SET name = 'renamed' WHERE id = 12");

        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(redis.exists(key(11))).as("deleted while no slot kept the changes").isZero();
                assertThat(redis.get(key(12))).isEqualTo("{\"id\":12,\"name\":\"renamed\"}");
            });
        }
    }

    @Test
    void shouldRemoveEveryKeyOfATruncatedTable() {
        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).until(() -> swept(warmer));

            db.execute("TRUNCATE users", "INSERT INTO users (id, name) VALUES (1, 'after the truncate')");

            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(redis.keys(prefix + ":user:*")).containsExactly(key(1));
                assertThat(redis.get(key(1))).isEqualTo("{\"id\":1,\"name\":\"after the truncate\"}");
            });
        }
    }

    private static boolean swept(WarmerService warmer) {
        SnapshotProgress progress = warmer.capture().snapshotProgress().get(USERS);
        return progress != null && progress.state() == SnapshotProgress.State.SWEPT;
    }
}
