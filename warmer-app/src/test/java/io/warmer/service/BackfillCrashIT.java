package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.warmer.backfill.FamilyRegistry;
import io.warmer.backfill.Registration;
import io.warmer.config.WarmerConfig;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Families added to a running shop (a 1:N join on the captured customers, and every order of a table not captured
 * before) are filled by their own materializers while the application writes; the service is SIGKILLed in the
 * middle of that backfill and once more while it streams, restarted each time, and in the end an independent audit
 * (none of Warmer's code) finds every key exactly as the database says, none missing and none extra.
 */
@ExtendWith(WarmerInfrastructure.class)
class BackfillCrashIT {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillCrashIT.class);
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final int CUSTOMERS = 15_000;

    @Test
    void shouldFillAddedFamiliesExactlyThroughKills(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        String prefix = infra.uniqueName("backfill");
        try (var connection = db.connect()) {
            Shop.create(connection, CUSTOMERS);
        }
        TestConfigs.Deployment deployment = TestConfigs.Deployment.unique(infra);
        String all = Shop.families(prefix);
        String customerOnly = all.substring(0, all.indexOf("  - name: customer-orders"));
        String http = "{port: 0, check-interval: 1s, ready: {min-coverage: 1.0, max-lag: 0, sample: 500}}";
        String redis = "{uri: \"" + infra.redisUri() + "\"}";
        Path first = Files.writeString(dir.resolve("first.yml"), TestConfigs.yaml(infra, db, deployment, redis, http,
                customerOnly));
        Path second = Files.writeString(dir.resolve("second.yml"), TestConfigs.yaml(infra, db, deployment, redis,
                http, all));
        WarmerConfig config = TestConfigs.parse(Files.readString(second));
        try (WarmerProcess before = WarmerProcess.start(first, dir, "before")) {
            before.awaitReady(WAIT);
        }

        RedisClient client = RedisClient.create(infra.redisUri());
        ShopWrites shop = new ShopWrites(db::connect, 150);
        try (var connection = client.connect()) {
            var keys = connection.sync();
            shop.start();
            WarmerProcess added = WarmerProcess.start(second, dir, "added");
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() ->
                    keys.keys(prefix + ":v2:customer:*:orders").size() > 500);
            added.kill();
            Registration atKill = new FamilyRegistry(config).read().get("customer-orders");
            LOG.info("Killed while backfilling: family customer-orders is {} with {} keys written",
                    atKill.state(), keys.keys(prefix + ":v2:customer:*:orders").size());
            assertThat(atKill.state()).as("killed in the middle of the backfill").isEqualTo(
                    Registration.State.BACKFILLING);

            WarmerProcess resumed = WarmerProcess.start(second, dir, "resumed");
            await().atMost(WAIT).until(() -> new FamilyRegistry(config).read().get("customer-orders").state()
                    == Registration.State.READY);
            Thread.sleep(1_500); // streaming, offsets committed and not
            resumed.kill();

            try (WarmerProcess last = WarmerProcess.start(second, dir, "last")) {
                Thread.sleep(2_000);
                shop.stop();
                last.awaitReady(WAIT);
                try (var database = db.connect()) {
                    CacheAudit.Result audit = CacheAudit.run(database, keys, Shop.expectation(prefix));
                    assertThat(audit.exact()).as("the database against Redis: %s", audit).isTrue();
                    assertThat(audit.keys()).isGreaterThan(5L * CUSTOMERS);
                }
                assertThat(new FamilyRegistry(config).read().get("customer").application())
                        .as("the family there was kept its materializer").isEqualTo(config.kafka().applicationId());
            }
        } finally {
            shop.close();
            client.shutdown();
        }
    }
}
