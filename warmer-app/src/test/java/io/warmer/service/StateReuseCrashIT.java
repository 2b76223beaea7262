package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import io.warmer.testing.WarmerProcess;
import io.warmer.testkit.CacheAudit;
import io.warmer.testkit.Shop;
import io.warmer.testkit.ShopWrites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kept stores under SIGKILL: a process that started from the stores a clean stop kept is killed while the shop
 * writes (its slot then holds stores newer than any checkpoint), the next start must empty the slot and restore from
 * the changelogs, and a later clean stop and restart must keep them again. Then the writes stop and the database is
 * compared with Redis, independently of Warmer's code.
 */
@ExtendWith(WarmerInfrastructure.class)
class StateReuseCrashIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int CUSTOMERS = 300;

    @Test
    void shouldStayExactWhenAProcessRunningOnKeptStoresIsKilled(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        String prefix = infra.uniqueName("reusekill");
        try (var connection = db.connect()) {
            Shop.create(connection, CUSTOMERS);
        }
        Path stateDir = dir.resolve("streams");
        String yaml = TestConfigs.withKafka(TestConfigs.yaml(infra, db, "{uri: \"" + infra.redisUri() + "\"}",
                        "{port: 0, check-interval: 1s, ready: {min-coverage: 1.0, max-lag: 0, sample: 500}}",
                        Shop.families(prefix)), "state-dir: \"" + stateDir + "\"");
        Path config = Files.writeString(dir.resolve("warmer.yml"), yaml);
        Path slot = stateDir.resolve("slot-0");

        try (ShopWrites shop = new ShopWrites(db::connect, 150)) {
            try (WarmerProcess first = WarmerProcess.start(config, dir, "first")) {
                first.awaitReady(WAIT); // snapshotted; ready means lag 0, so before the writes start
                shop.start();
                Thread.sleep(2_000);
            } // SIGTERM under the writes: a clean stop, the stores kept
            assertThat(slot.resolve(StateDirectory.CLEAN)).exists();

            WarmerProcess kept = WarmerProcess.start(config, dir, "kept");
            await().atMost(WAIT).until(() -> kept.status("health") == 200);
            assertThat(Files.readString(dir.resolve("kept-logs").resolve("warmer.log")))
                    .as("the second start read its stores back").contains("kept from the last clean stop");
            Thread.sleep(2_500); // streaming on the kept stores, with commits and not
            kept.kill();
            assertThat(slot.resolve(StateDirectory.CLEAN)).as("a killed process leaves no clean mark").doesNotExist();

            WarmerProcess restored = WarmerProcess.start(config, dir, "restored");
            await().atMost(WAIT).until(() -> restored.status("health") == 200);
            assertThat(Files.readString(dir.resolve("restored-logs").resolve("warmer.log")))
                    .as("after a kill the stores are restored from the changelogs")
                    .doesNotContain("kept from the last clean stop");
            Thread.sleep(1_500);
            restored.close(); // clean again

            try (WarmerProcess last = WarmerProcess.start(config, dir, "last")) {
                Thread.sleep(2_000);
                shop.stop();
                last.awaitReady(WAIT);
                assertThat(Files.readString(dir.resolve("last-logs").resolve("warmer.log")))
                        .contains("kept from the last clean stop");

                RedisClient client = RedisClient.create(infra.redisUri());
                try (var connection = client.connect(); var database = db.connect()) {
                    CacheAudit.Result audit = CacheAudit.run(database, connection.sync(), Shop.expectation(prefix));
                    assertThat(audit.exact()).as("the database against Redis: %s", audit).isTrue();
                    assertThat(audit.keys()).isGreaterThan(4L * CUSTOMERS);
                } finally {
                    client.shutdown();
                }
            }
        }
    }
}
