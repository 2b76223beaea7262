package io.warmer.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.warmer.embedded.EmbeddedRedis;
import io.warmer.testing.Cli;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `warmer warmup`, the deploy gate: exit 0 only once the keyspace is covered; exit 1 on timeout. */
@ExtendWith(WarmerInfrastructure.class)
class WarmupIT {

    private static Cli.Result warmup(Path config, String... options) {
        String[] args = new String[options.length + 3];
        args[0] = "warmup";
        args[1] = "--config";
        args[2] = config.toString();
        System.arraycopy(options, 0, args, 3, options.length);
        return Cli.run(args);
    }

    @Test
    void shouldExitZeroOnlyOnceEveryKeyIsThere(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, 500) i");
        String p = infra.uniqueName("wu");
        Path config = dir.resolve("warmer.yml");
        Files.writeString(config, TestConfigs.yaml(infra, db, "  - {name: profile, table: users, key: \"" + p + ":user:${id}\"}\n"));

        Cli.Result run = warmup(config, "--min-coverage", "1.0", "--timeout", "90s");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("profile: coverage 100.00%", "warmup: ready");
        RedisClient client = RedisClient.create(infra.redisUri());
        try (var redis = client.connect()) {
            assertThat(redis.sync().keys(p + ":user:*")).hasSize(500);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void shouldGateOnTheProjectedHitRateOfRecordedReads(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, 200) i");
        String p = infra.uniqueName("wr");
        Path config = dir.resolve("warmer.yml");
        Files.writeString(config, TestConfigs.yaml(infra, db, "  - {name: profile, table: users, key: [\"" + p
                + ":v2:user:${id}\", \"" + p + ":user:${id}\"]}\n"));
        // 99 reads of users that exist, 1 of a user the database does not have: at best 99%.
        List<String> reads = new ArrayList<>();
        for (int id = 1; id <= 99; id++) {
            reads.add(p + ":user:" + id);
        }
        reads.add(p + ":user:9999");
        Path file = Files.write(dir.resolve("reads.txt"), reads);

        Cli.Result met = warmup(config, "--reads", file.toString(), "--min-projected-hit-rate", "0.99", "--timeout", "90s");

        assertThat(met.exit()).as(met.out() + met.err()).isZero();
        assertThat(met.out()).contains("projected hit rate: 99.00% (99 of 100 mapped reads would hit",
                "  miss: " + p + ":user:9999 -> " + p + ":v2:user:9999");

        Cli.Result unmet = warmup(config, "--reads", file.toString(), "--min-projected-hit-rate", "0.995", "--timeout", "10s");

        assertThat(unmet.exit()).as(unmet.out() + unmet.err()).isEqualTo(1);
        assertThat(unmet.err()).contains("projected hit rate 99.00% (target 99.50%)");
    }

    @Test
    void shouldRefuseAProjectedHitRateTargetWithoutReads(@TempDir Path dir) {
        Cli.Result run = warmup(dir.resolve("unused.yml"), "--min-projected-hit-rate", "0.99");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--min-projected-hit-rate needs --reads FILE");
    }

    @Test
    void shouldExitOneWithAReportWhenTheKeyspaceCannotBeCoveredInTime(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE docs (id bigint PRIMARY KEY, body text)",
                "INSERT INTO docs SELECT i, repeat('x', 1000) FROM generate_series(1, 3000) i");
        try (EmbeddedRedis full = EmbeddedRedis.start(dir.resolve("redis"))) {
            RedisClient client = RedisClient.create(full.uri());
            try (var redis = client.connect()) {
                redis.sync().configSet("maxmemory", "1mb"); // noeviction: writes past 1 MB are refused
            } finally {
                client.shutdown();
            }
            Path config = dir.resolve("warmer.yml");
            Files.writeString(config, TestConfigs.yaml(infra, db, "{uri: \"" + full.uri() + "\"}",
                    "  - {name: docs, table: docs, key: \"doc:${id}\", fencing: false}\n"));

            Cli.Result run = warmup(config, "--timeout", "20s", "--max-lag", "1000000");

            assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
            assertThat(run.err()).startsWith("error: not ready after 20s:");
            assertThat(run.out()).contains("warmup: NOT ready;");
        }
    }
}
