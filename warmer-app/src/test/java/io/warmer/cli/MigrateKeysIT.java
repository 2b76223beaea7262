package io.warmer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.ByteArrayCodec;
import io.warmer.change.RowChangeCodec;
import io.warmer.migrate.KeyMapping;
import io.warmer.migrate.MigrationCheckpoint;
import io.warmer.sink.FencedWrites;
import io.warmer.testing.Cli;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `warmer migrate-keys` copies cache-only keys to their new names on a real Redis: TTLs, CDC data, resumption. */
@ExtendWith(WarmerInfrastructure.class)
class MigrateKeysIT {

    private TestInfra infra;
    private Path dir;
    private RedisClient client;
    private RedisCommands<String, String> redis;
    /** This test's keys: {@code <p>:user:<id>:session}, copied to {@code <p>:v2:user:<id>:session}. */
    private String p;

    @BeforeEach
    void connect(TestInfra infra, @TempDir Path dir) {
        this.infra = infra;
        this.dir = dir;
        this.p = infra.uniqueName("mig");
        client = RedisClient.create(infra.redisUri());
        redis = client.connect().sync();
    }

    @AfterEach
    void disconnect() {
        client.shutdown();
    }

    @Test
    void shouldCopyEveryKeyWithItsRemainingTtlAndKeepPersistentKeysPersistent() throws Exception {
        for (int id = 1; id <= 1_000; id++) {
            redis.set(oldKey(id), "session " + id, SetArgs.Builder.px(100_000L + 1_000L * id));
        }
        for (int id = 1_001; id <= 1_010; id++) {
            redis.set(oldKey(id), "session " + id);
        }
        redis.hset(oldKey(1_011), Map.of("user", "1011", "csrf", "x"));
        redis.expire(oldKey(1_011), 600);

        Cli.Result run = migrate();

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("migrate-keys: 1,011 copied, 0 skipped (new name already present), 0 expired");
        for (int id = 1; id <= 1_000; id++) {
            assertThat(redis.get(newKey(id))).isEqualTo("session " + id);
            assertThat(redis.pttl(newKey(id))).as("TTL of %s", newKey(id)).isCloseTo(redis.pttl(oldKey(id)), Offset.offset(1_000L));
        }
        for (int id = 1_001; id <= 1_010; id++) {
            assertThat(redis.get(newKey(id))).isEqualTo("session " + id);
            assertThat(redis.pttl(newKey(id))).as("a persistent key stays persistent").isEqualTo(-1);
        }
        assertThat(redis.hgetall(newKey(1_011))).as("a hash, copied as a hash").isEqualTo(Map.of("user", "1011", "csrf", "x"));
        assertThat(redis.ttl(newKey(1_011))).isBetween(599L, 600L);
        assertThat(redis.exists(oldKey(1), oldKey(1_010), oldKey(1_011))).as("the old keys stay for the rollback window").isEqualTo(3);
        assertThat(redis.exists(checkpointKey())).as("the checkpoint, once done").isZero();
    }

    @Test
    void shouldKeepTheBytesOfAKeyThatIsNotUtf8() throws Exception {
        var bytes = client.connect(ByteArrayCodec.INSTANCE).sync();
        byte[] id = {(byte) 0xff, (byte) 0xfe, 'x'};
        bytes.set(concat(p + ":user:", id, ":session"), "binary".getBytes(StandardCharsets.UTF_8));

        Cli.Result run = migrate();

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(bytes.get(concat(p + ":v2:user:", id, ":session"))).asString(StandardCharsets.UTF_8).isEqualTo("binary");
    }

    @Test
    void shouldSkipANewNameTheCdcPathWroteOrDeleted() throws Exception {
        for (int id = 1; id <= 3; id++) {
            redis.set(oldKey(id), "old session " + id, SetArgs.Builder.ex(3_600));
        }
        redis.set(newKey(1), "written by CDC", SetArgs.Builder.ex(60));
        redis.set(FencedWrites.versionKeyOf(newKey(2)), "00000000000000000042", SetArgs.Builder.ex(60)); // a tombstone

        Cli.Result run = migrate();

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("1 copied, 2 skipped (new name already present), 0 expired");
        assertThat(redis.get(newKey(1))).isEqualTo("written by CDC");
        assertThat(redis.ttl(newKey(1))).as("its own TTL, untouched").isBetween(55L, 60L);
        assertThat(redis.exists(newKey(2))).as("deleted by CDC: not brought back").isZero();
        assertThat(redis.get(newKey(3))).isEqualTo("old session 3");
    }

    @Test
    void shouldResumeAfterBeingKilledMidway() throws Exception {
        int keys = 4_000;
        Map<String, String> sessions = new HashMap<>();
        IntStream.rangeClosed(1, keys).forEach(id -> sessions.put(oldKey(id), "session " + id));
        redis.mset(sessions);
        Path config = config("{uri: \"" + infra.redisUri() + "\"}");
        Path output = dir.resolve("killed-run.txt");
        Process killed = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), WarmerCli.class.getName(), "migrate-keys",
                "--config", config.toString(), "--from", from(), "--to", to(), "--rate", "1000/s")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> redis.exists(checkpointKey()) == 1 || !killed.isAlive());
            killed.destroyForcibly();
            assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            killed.destroyForcibly();
        }
        long copiedBeforeTheKill = redis.keys(p + ":v2:user:*").size();
        assertThat(copiedBeforeTheKill).as("copied before the kill; its output:%n%s", Files.readString(output))
                .isPositive().isLessThan(keys);

        Cli.Result resumed = Cli.run("migrate-keys", "--config", config.toString(), "--from", from(), "--to", to());

        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("migrate-keys: resuming an interrupted run of " + from() + " -> " + to());
        for (int id = 1; id <= keys; id++) {
            assertThat(redis.get(newKey(id))).isEqualTo("session " + id);
        }
        assertThat(redis.keys(p + ":v2:user:*")).as("nothing but the copies").hasSize(keys);
        assertThat(redis.exists(checkpointKey())).isZero();
    }

    @Test
    void shouldStartOverWithRestartInsteadOfResuming() throws Exception {
        IntStream.rangeClosed(1, 3).forEach(id -> redis.set(oldKey(id), "session " + id));
        redis.set(checkpointKey(), """
                {"from":"%s","to":"%s","node":"standalone","cursor":"0","copied":999,"skipped":0,"expired":0,"seconds":9.0}
                """.formatted(from(), to()));

        Cli.Result run = Cli.run("migrate-keys", "--config", config("{uri: \"" + infra.redisUri() + "\"}").toString(),
                "--from", from(), "--to", to(), "--restart");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).doesNotContain("resum").contains("migrate-keys: 3 copied, 0 skipped");
        assertThat(redis.exists(checkpointKey())).isZero();
    }

    @Test
    void shouldPrintTheReportAloneOnStdoutWithJson() throws Exception {
        IntStream.rangeClosed(1, 2).forEach(id -> redis.set(oldKey(id), "session " + id));

        Cli.Result run = Cli.run("migrate-keys", "--config", config("{uri: \"" + infra.redisUri() + "\"}").toString(),
                "--from", from(), "--to", to(), "--json");

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode report = RowChangeCodec.json().readTree(run.out());
        assertThat(report.get("copied").asLong()).isEqualTo(2);
        assertThat(report.get("skipped").asLong()).isZero();
        assertThat(report.get("expired").asLong()).isZero();
        assertThat(report.get("resumed").asBoolean()).isFalse();
        assertThat(report.has("keysPerSecond")).isTrue();
        assertThat(run.err()).as("the progress").contains("migrate-keys: 2 copied");
    }

    @Test
    void shouldWriteNothingOnADryRun() throws Exception {
        IntStream.rangeClosed(1, 20).forEach(id -> redis.set(oldKey(id), "session " + id));

        Cli.Result run = Cli.run("migrate-keys", "--config", config("{uri: \"" + infra.redisUri() + "\"}").toString(),
                "--from", from(), "--to", to(), "--dry-run");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("migrate-keys: 20 keys match '" + from() + "'; nothing written (dry run)")
                .containsPattern("\\Q" + p + "\\E:user:(\\d+):session -> \\Q" + p + "\\E:v2:user:\\1:session");
        assertThat(redis.keys(p + ":v2:*")).isEmpty();
        assertThat(redis.exists(checkpointKey())).isZero();
    }

    @Test
    void shouldCopyEveryKeyOfEveryMasterOfARedisCluster() throws Exception {
        RedisClusterClient cluster = RedisClusterClient.create(infra.redisClusterUri());
        try (var connection = cluster.connect()) {
            var nodes = connection.sync();
            for (int id = 1; id <= 300; id++) {
                nodes.set(oldKey(id), "session " + id, SetArgs.Builder.ex(600));
            }
            nodes.set(newKey(7), "written by CDC");
            assertThat(IntStream.rangeClosed(1, 300).mapToObj(id -> connection.getPartitions()
                    .getMasterBySlot(SlotHash.getSlot(oldKey(id)))).collect(Collectors.toSet())).as("masters holding keys").hasSize(3);

            Cli.Result run = Cli.run("migrate-keys", "--config",
                    config("{mode: cluster, uri: \"" + infra.redisClusterUri() + "\"}").toString(), "--from", from(), "--to", to());

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("299 copied, 1 skipped (new name already present), 0 expired");
            for (int id = 1; id <= 300; id++) {
                assertThat(nodes.get(newKey(id))).isEqualTo(id == 7 ? "written by CDC" : "session " + id);
                assertThat(nodes.ttl(newKey(id))).isEqualTo(id == 7 ? -1 : nodes.ttl(oldKey(id)));
            }
        } finally {
            cluster.shutdown();
        }
    }

    private Cli.Result migrate() throws Exception {
        return Cli.run("migrate-keys", "--config", config("{uri: \"" + infra.redisUri() + "\"}").toString(),
                "--from", from(), "--to", to());
    }

    private Path config(String redisSettings) throws Exception {
        Path config = dir.resolve("warmer.yml");
        Files.writeString(config, """
                source: {postgres: {host: localhost, database: app, user: warmer}}
                kafka: {bootstrap-servers: "localhost:9092"}
                redis: %s
                families:
                  - {name: p, table: users, key: "%s:v2:user:${id}:profile"}
                """.formatted(redisSettings, p));
        return config;
    }

    private String from() {
        return p + ":user:*:session";
    }

    private String to() {
        return p + ":v2:user:${1}:session";
    }

    private String oldKey(int id) {
        return p + ":user:" + id + ":session";
    }

    private String newKey(int id) {
        return p + ":v2:user:" + id + ":session";
    }

    private String checkpointKey() {
        return MigrationCheckpoint.keyOf(KeyMapping.of(from(), to()));
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(middle, 0, all, a.length, middle.length);
        System.arraycopy(c, 0, all, a.length + middle.length, c.length);
        return all;
    }
}
