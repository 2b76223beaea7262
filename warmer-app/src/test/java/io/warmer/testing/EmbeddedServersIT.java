package io.warmer.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.warmer.embedded.EmbeddedPostgres;
import io.warmer.embedded.EmbeddedRedis;
import io.warmer.embedded.RedisServerExecutable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's servers (io.warmer.embedded), which must work with nothing but a JDK. */
class EmbeddedServersIT {

    @TempDir
    Path workDir;

    @Test
    void embeddedPostgresDecodesLogically() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start(workDir);
                Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(),
                        postgres.password());
                Statement statement = connection.createStatement()) {
            try (ResultSet walLevel = statement.executeQuery("SHOW wal_level")) {
                walLevel.next();
                assertThat(walLevel.getString(1)).isEqualTo("logical");
            }
            try (ResultSet created = statement.executeQuery(
                    "SELECT slot_name FROM pg_create_logical_replication_slot('embedded_check', 'pgoutput')")) {
                created.next();
                assertThat(created.getString(1)).isEqualTo("embedded_check");
            }
        }
    }

    @Test
    void embeddedRedisPrefersTheInstalledServer() {
        // This machine has redis-server installed; the demo must use it rather than the bundled Redis 6.2.
        Path installed = RedisServerExecutable.onPath().orElseThrow(() -> new AssertionError(
                "redis-server is not on PATH; install it with 'apt-get install -y redis-server'"));

        assertThat(RedisServerExecutable.find(workDir.resolve("bin"))).isEqualTo(installed);
        try (EmbeddedRedis redis = EmbeddedRedis.start(workDir)) {
            assertThat(setThenGet(redis.uri())).isEqualTo("hello");
        }
    }

    @Test
    void bundledRedisRunsWhenNoneIsInstalled() {
        Path bundled = RedisServerExecutable.bundled(workDir.resolve("bin"));

        assertThat(bundled).startsWith(workDir).isExecutable();
        try (EmbeddedRedis redis = EmbeddedRedis.start(workDir, bundled)) {
            assertThat(setThenGet(redis.uri())).isEqualTo("hello");
        }
    }

    private static String setThenGet(String uri) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().set("embedded_check", "hello");
            return connection.sync().get("embedded_check");
        } finally {
            client.shutdown();
        }
    }
}
