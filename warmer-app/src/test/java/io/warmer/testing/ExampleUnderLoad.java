package io.warmer.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.embedded.EmbeddedRedis;
import io.warmer.embedded.RedisServerExecutable;
import io.warmer.testkit.CacheAudit;
import io.warmer.testkit.Shop;
import io.warmer.testkit.ShopWrites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An example of examples/ on the shop schema, run as a user would: a Warmer process on its own Redis, the shop's
 * writes and the test's own beside it, a SIGKILL once the snapshot has begun writing, a second process killed too
 * once it is warm and streaming, a third, and then an audit of Redis against what PostgreSQL says (none of Warmer's
 * code).
 */
public final class ExampleUnderLoad {

    public static final Duration WAIT = Duration.ofSeconds(180);

    /** The test's own writes beside the shop's, on a connection of its own, until {@code running} is false. */
    public interface Moves {
        void move(Connection db) throws Exception;
    }

    /** What to look at once the audit is exact; {@code config} is the YAML the processes ran with. */
    public interface After {
        void check(RedisCommands<String, String> redis, TestDatabase db, String config) throws Exception;
    }

    private ExampleUnderLoad() {
    }

    /** Whether every family of the process is past its snapshot: streaming, or ready. */
    private static boolean streaming(WarmerProcess process) {
        var families = process.json("ready").path("families");
        if (families.isEmpty()) {
            return false;
        }
        for (var family : families) {
            String stage = family.path("stage").asText();
            if (!stage.equals("streaming") && !stage.equals("ready")) {
                return false;
            }
        }
        return true;
    }

    /** The example's families, with its keys' {@code shop:} prefix replaced by the test's own. */
    public static String families(Path example, String prefix) throws Exception {
        String text = Files.readString(example);
        return text.substring(text.indexOf("families:\n") + "families:\n".length())
                .replace("\"shop:v2:", "\"" + prefix + ":v2:");
    }

    /**
     * @param customers the shop's size
     * @param started   a key pattern that has keys once the snapshot writes: the first process is killed then
     * @param moves     run again and again, every 25 ms, beside the shop's writes
     */
    public static void run(TestInfra infra, Path dir, int customers, String families, String started,
                           CacheAudit.Expectation expectation, Moves moves, After after) throws Exception {
        run(infra, dir, customers, List.of(), families, started, expectation, moves, after);
    }

    /** @param setup statements run on the shop's database before Warmer starts, e.g. a table of the example's own */
    public static void run(TestInfra infra, Path dir, int customers, List<String> setup, String families,
                           String started, CacheAudit.Expectation expectation, Moves moves, After after)
            throws Exception {
        EmbeddedRedis redis = EmbeddedRedis.start(dir, RedisServerExecutable.onPath().orElseThrow(
                () -> new IllegalStateException("redis-server is not on PATH; .ci/run installs it")));
        TestDatabase db = infra.postgres().newDatabase();
        try (var connection = db.connect()) {
            Shop.create(connection, customers);
        }
        db.execute(setup.toArray(String[]::new));
        String yaml = TestConfigs.yaml(infra, db, "{uri: \"" + redis.uri() + "\"}", "{port: 0}", families);
        Path config = Files.writeString(dir.resolve("warmer.yml"), yaml);
        RedisClient client = RedisClient.create(redis.uri());
        ShopWrites shop = new ShopWrites(db::connect, 60);
        AtomicBoolean moving = new AtomicBoolean(true);
        AtomicReference<Throwable> moveFailure = new AtomicReference<>();
        Thread mover = new Thread(() -> {
            try (Connection c = db.connect()) {
                while (moving.get()) {
                    moves.move(c);
                    Thread.sleep(25);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                moveFailure.set(e);
            }
        }, "example-moves");
        try (var connection = client.connect()) {
            RedisCommands<String, String> commands = connection.sync();
            WarmerProcess first = WarmerProcess.start(config, dir, "first");
            shop.start();
            mover.start();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> !commands.scan(ScanArgs.Builder.matches(started).limit(10_000)).getKeys().isEmpty());
            first.kill();

            // Warm and streaming under the writes, then killed again: the stores of every stage may be ahead of
            // their committed offsets, and records they sent before the kill are processed again.
            // (Not ready: under writes this fast, a sample of the joined families always has a key or two whose
            // joined rows are on their way.)
            try (WarmerProcess second = WarmerProcess.start(config, dir, "second")) {
                await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> streaming(second));
                Thread.sleep(3_000);
                second.kill();
            }

            try (WarmerProcess third = WarmerProcess.start(config, dir, "third")) {
                Thread.sleep(3_000);
                shop.stop();
                moving.set(false);
                mover.join();
                assertThat(moveFailure.get()).as("the test's own writes").isNull();
                third.awaitReady(WAIT);
                await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    try (Connection database = db.connect()) {
                        CacheAudit.Result audit = CacheAudit.run(database, commands, expectation);
                        assertThat(audit.exact()).as("the database against Redis: %s", audit).isTrue();
                    }
                });
                after.check(commands, db, yaml);
            }
        } finally {
            moving.set(false);
            shop.close();
            client.shutdown();
            redis.close();
        }
    }
}
