package io.warmer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.warmer.sink.FencedWrites;
import io.warmer.testing.Cli;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `warmer cleanup` removes exactly the old generation, with its version keys, no faster than asked. */
@ExtendWith(WarmerInfrastructure.class)
class CleanupIT {

    @Test
    void shouldUnlinkOnlyTheMatchingKeysAtTheGivenRate(TestInfra infra, @TempDir Path dir) throws Exception {
        String p = infra.uniqueName("old");
        Path config = dir.resolve("warmer.yml");
        Files.writeString(config, """
                source: {postgres: {host: localhost, database: app, user: warmer}}
                kafka: {bootstrap-servers: "localhost:9092"}
                redis: {uri: "%s"}
                families:
                  - {name: p, table: users, key: "%s:v2:user:${id}:profile"}
                """.formatted(infra.redisUri(), p));
        RedisClient client = RedisClient.create(infra.redisUri());
        try (var connection = client.connect()) {
            var redis = connection.sync();
            Map<String, String> keys = new HashMap<>();
            for (int id = 1; id <= 2_000; id++) {
                keys.put(p + ":user:" + id + ":profile", "old");
            }
            keys.put(FencedWrites.versionKeyOf(p + ":user:1:profile"), "00000000000000000001");
            keys.put(FencedWrites.restKeyOf(p + ":user:2:profile"), "a capped sorted set's members beyond its cap");
            for (int id = 1; id <= 100; id++) {
                keys.put(p + ":v2:user:" + id + ":profile", "new");
            }
            redis.mset(keys);

            Cli.Result dryRun = Cli.run("cleanup", "--config", config.toString(), "--pattern", p + ":user:*:profile", "--dry-run");
            assertThat(dryRun.out()).contains("would remove 2,000 keys");
            Cli.Result machine = Cli.run("cleanup", "--config", config.toString(), "--pattern", p + ":user:*:profile",
                    "--dry-run", "--json");
            var report = io.warmer.change.RowChangeCodec.json().readTree(machine.out());
            assertThat(report.path("matched").asLong()).isEqualTo(2_000);
            assertThat(report.path("removed").asBoolean()).isFalse();
            assertThat(redis.keys(p + ":user:*")).hasSize(2_000);

            long started = System.nanoTime();
            Cli.Result run = Cli.run("cleanup", "--config", config.toString(), "--pattern", p + ":user:*:profile",
                    "--rate", "1000/s");
            double seconds = (System.nanoTime() - started) / 1e9;

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("removed 2,000 keys");
            assertThat(redis.keys(p + ":user:*")).isEmpty();
            assertThat(redis.exists(FencedWrites.versionKeyOf(p + ":user:1:profile"))).as("its version key").isZero();
            assertThat(redis.exists(FencedWrites.restKeyOf(p + ":user:2:profile"))).as("its rest key").isZero();
            assertThat(redis.keys(p + ":v2:user:*")).as("the new generation").hasSize(100);
            assertThat(seconds).as("2,000 keys at 1,000/s take at least").isGreaterThan(1.4);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void shouldRefuseToRemoveEverything(@TempDir Path dir) throws Exception {
        Cli.Result run = Cli.run("cleanup", "--config", dir.resolve("unused.yml").toString(), "--pattern", "*");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--pattern: found '*', expected a pattern that names one key generation");
    }
}
