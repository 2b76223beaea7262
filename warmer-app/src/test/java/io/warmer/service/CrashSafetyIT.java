package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.warmer.capture.snapshot.SnapshotProgress;
import io.warmer.capture.snapshot.SnapshotProgressReader;
import io.warmer.change.TableId;
import io.warmer.kafka.KafkaClients;
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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGKILL of {@code warmer run} at awkward moments, under live writes on two tables with a join: twice in the
 * middle of the snapshot, twice while streaming; each time a new process takes over. Then the writes stop, the
 * service says ready, and the database is compared with Redis by code that is not Warmer's: nothing missing, nothing
 * stale, no key that no row accounts for.
 */
@ExtendWith(WarmerInfrastructure.class)
class CrashSafetyIT {

    private static final Logger LOG = LoggerFactory.getLogger(CrashSafetyIT.class);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int CUSTOMERS = 8_000;

    @Test
    void shouldLeaveExactlyWhatTheDatabaseSaysAfterKillsDuringTheSnapshotAndWhileStreaming(TestInfra infra,
                                                                                          @TempDir Path dir)
            throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        String prefix = infra.uniqueName("crash");
        try (var connection = db.connect()) {
            Shop.create(connection, CUSTOMERS);
        }
        ShopWrites shop = new ShopWrites(db::connect, 150);
        // Small chunks, so that the snapshot takes long enough to be killed in; every row sampled for readiness.
        String yaml = TestConfigs.yaml(infra, db, "{uri: \"" + infra.redisUri() + "\"}",
                        "{port: 0, check-interval: 1s, ready: {min-coverage: 1.0, max-lag: 0, sample: 500}}",
                        Shop.families(prefix))
                .replace("slot: ", "snapshot: {chunk-rows: 100, threads: 1}, slot: ");
        Path config = Files.writeString(dir.resolve("warmer.yml"), yaml);
        KafkaClients bootstrap = KafkaClients.plaintext(infra.kafkaBootstrapServers());
        String topicPrefix = TestConfigs.parse(yaml).kafka().topicPrefix();
        TableId customers = TableId.parse("customers");
        TableId orders = TableId.parse("orders");

        shop.start();
        try {
            WarmerProcess first = WarmerProcess.start(config, dir, "first");
            SnapshotProgress atFirstKill = await().atMost(WAIT).until(
                    () -> SnapshotProgressReader.read(bootstrap, topicPrefix).get(customers),
                    p -> p != null && p.state() == SnapshotProgress.State.RUNNING && p.chunks() >= 2);
            first.kill();
            LOG.info("Killed during the snapshot of customers after {} chunks", atFirstKill.chunks());

            WarmerProcess second = WarmerProcess.start(config, dir, "second");
            SnapshotProgress atSecondKill = await().atMost(WAIT).until(
                    () -> SnapshotProgressReader.read(bootstrap, topicPrefix).get(orders),
                    p -> p != null && p.state() == SnapshotProgress.State.RUNNING && p.chunks() >= 2);
            second.kill();
            SnapshotProgress customersThen = SnapshotProgressReader.read(bootstrap, topicPrefix).get(customers);
            assertThat(customersThen.snapshot()).as("the snapshot of customers went on after the kill, not anew")
                    .isEqualTo(atFirstKill.snapshot());
            assertThat(customersThen.chunks()).isGreaterThan(atFirstKill.chunks());
            LOG.info("Killed during the snapshot of orders after {} chunks", atSecondKill.chunks());

            WarmerProcess third = WarmerProcess.start(config, dir, "third");
            await().atMost(WAIT).until(() -> {
                Map<TableId, SnapshotProgress> progress = SnapshotProgressReader.read(bootstrap, topicPrefix);
                return progress.get(customers) != null && progress.get(customers).state().done()
                        && progress.get(orders) != null && progress.get(orders).state().done();
            });
            assertThat(SnapshotProgressReader.read(bootstrap, topicPrefix).get(orders).snapshot())
                    .isEqualTo(atSecondKill.snapshot());
            Thread.sleep(2_500); // streaming, with offsets flushed and not
            third.kill();

            WarmerProcess fourth = WarmerProcess.start(config, dir, "fourth");
            await().atMost(WAIT).until(() -> fourth.status("health") == 200);
            Thread.sleep(1_700);
            fourth.kill();
            LOG.info("Killed twice while streaming; {} transactions so far", shop.transactions());

            try (WarmerProcess last = WarmerProcess.start(config, dir, "last")) {
                Thread.sleep(3_000);
                shop.stop();
                long stoppedAt = System.nanoTime();
                last.awaitReady(WAIT);
                LOG.info("Ready {} s after the writes stopped, {} transactions in all",
                        (System.nanoTime() - stoppedAt) / 1_000_000_000.0, shop.transactions());

                RedisClient client = RedisClient.create(infra.redisUri());
                try (var connection = client.connect(); var database = db.connect()) {
                    CacheAudit.Result audit = CacheAudit.run(database, connection.sync(), Shop.expectation(prefix));
                    assertThat(audit.exact()).as("the database against Redis: %s", audit).isTrue();
                    assertThat(audit.keys()).isGreaterThan(4L * CUSTOMERS);
                } finally {
                    client.shutdown();
                }
            }
        } finally {
            shop.close();
        }
    }
}
