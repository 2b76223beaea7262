package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two {@code warmer run} processes on one replication slot: one captures, the other stands by quietly, healthy, and
 * says who holds the slot; it takes over within 15 s of a SIGKILL of the first, under live writes, and loses nothing.
 */
@ExtendWith(WarmerInfrastructure.class)
class StandbyIT {

    private static final Logger LOG = LoggerFactory.getLogger(StandbyIT.class);
    private static final Duration WAIT = Duration.ofSeconds(120);
    static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(15);

    @Test
    void shouldStandByQuietlyAndTakeOverWhenTheCapturingProcessIsKilled(TestInfra infra, @TempDir Path dir)
            throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        String prefix = infra.uniqueName("standby");
        try (var connection = db.connect()) {
            Shop.create(connection, 1_000);
        }
        ShopWrites shop = new ShopWrites(db::connect, 150);
        String yaml = TestConfigs.yaml(infra, db, "{uri: \"" + infra.redisUri() + "\"}",
                "{port: 0, check-interval: 1s, ready: {min-coverage: 1.0, max-lag: 0, sample: 500}}", Shop.families(prefix));
        Path config = Files.writeString(dir.resolve("warmer.yml"), yaml);

        WarmerProcess first = WarmerProcess.start(config, dir, "first");
        await().atMost(WAIT).until(() -> capture(first).path("state").asText().equals("RUNNING"));
        try (WarmerProcess second = WarmerProcess.start(config, dir, "second")) {
            await().atMost(WAIT).until(() -> capture(second).path("state").asText().equals("STANDBY"));
            JsonNode standby = capture(second);
            assertThat(standby.path("healthy").asBoolean()).isTrue();
            assertThat(second.status("health")).isEqualTo(200);
            assertThat(standby.path("detail").asText()).matches("slot \\S+ held by PID \\d+.*");
            assertThat(second.json("api/status").path("capture").asText()).startsWith("standby (slot ");
            assertThat(second.json("metrics").isMissingNode()).isTrue(); // metrics are text, not JSON
            shop.start();
            Thread.sleep(12_000); // a few heartbeat intervals and status lines of standing by
            assertThat(second.output()).as("the standby's output").doesNotContain("Exception").doesNotContain("\tat ")
                    .doesNotContain("is active for PID");

            first.kill();
            long killed = System.nanoTime();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> capture(second).path("state").asText().equals("RUNNING"));
            Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
            LOG.info("The standby took over {} ms after the SIGKILL", takeover.toMillis());
            assertThat(takeover).as("time to take over").isLessThan(TAKEOVER_LIMIT);

            Thread.sleep(3_000);
            shop.stop();
            second.awaitReady(WAIT);
            RedisClient client = RedisClient.create(infra.redisUri());
            try (var connection = client.connect(); var database = db.connect()) {
                CacheAudit.Result audit = CacheAudit.run(database, connection.sync(), Shop.expectation(prefix));
                assertThat(audit.exact()).as("the database against Redis after the takeover: %s", audit).isTrue();
            } finally {
                client.shutdown();
            }
        } finally {
            first.kill();
            shop.close();
        }
    }

    private static JsonNode capture(WarmerProcess process) {
        for (JsonNode part : process.json("health").path("parts")) {
            if (part.path("name").asText().equals("capture")) {
                return part;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
