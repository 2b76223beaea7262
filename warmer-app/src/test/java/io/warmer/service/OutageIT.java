package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.warmer.config.WarmerConfig;
import io.warmer.embedded.EmbeddedKafka;
import io.warmer.runtime.ServiceMonitoring;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import io.warmer.testkit.CacheAudit;
import io.warmer.testkit.Shop;
import io.warmer.testkit.ShopWrites;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers Warmer depends on go away while it streams, and come back; nobody restarts Warmer. PostgreSQL restarted
 * with a fast shutdown (every session ended, the replication connection and the capture's lock among them): the
 * capture resumes from its stored offsets, no change is lost, and the cache ends exactly as the database says.
 */
@ExtendWith(WarmerInfrastructure.class)
class OutageIT {

    private static final Logger LOG = LoggerFactory.getLogger(OutageIT.class);
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final int CUSTOMERS = 2_000;
    /**
     * The producers' timeouts this test sets through kafka.properties, shorter than Kafka's defaults (a 60 s wait for
     * metadata, a 120 s delivery timeout) so that an outage past them takes seconds of the build instead of minutes;
     * what a producer does when they pass is the same.
     */
    private static final String SHORT_TIMEOUTS = "properties: {max.block.ms: '15000', delivery.timeout.ms: '20000',"
            + " request.timeout.ms: '10000'}";
    /** Past the producers' timeouts (20 s at most, {@link #SHORT_TIMEOUTS}) and the Streams session timeout (10 s). */
    private static final Duration KAFKA_OUTAGE = Duration.ofSeconds(35);
    /** How long a capture that failed during the outage may take to stop. */
    private static final Duration STOPPING = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldGoOnWithoutLosingAChangeWhenPostgresRestarts(TestInfra infra) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        String prefix = infra.uniqueName("outage");
        try (var connection = db.connect()) {
            Shop.create(connection, CUSTOMERS);
        }
        WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db, "{uri: \"" + infra.redisUri() + "\"}",
                "{port: 0, check-interval: 500ms, ready: {min-coverage: 1.0, max-lag: 0, sample: 300}}",
                Shop.families(prefix)));
        RedisClient client = RedisClient.create(infra.redisUri());
        try (var redis = client.connect();
             WarmerService warmer = WarmerService.start(config);
             ServiceMonitoring monitoring = ServiceMonitoring.start(config, warmer,
                     ServiceMonitoring.configuredTargets(config.http()))) {
            URI base = monitoring.address().orElseThrow();
            await().atMost(WAIT).until(() -> get(base.resolve("ready")).statusCode() == 200);

            long before;
            try (ShopWrites shop = new ShopWrites(db::connect, 100)) {
                shop.start();
                Thread.sleep(2_000);
                shop.stop();
                before = shop.transactions();
            }
            long restarted = System.nanoTime();
            infra.postgres().restart();
            LOG.info("PostgreSQL restarted (fast shutdown) in {} ms, {} transactions written before",
                    (System.nanoTime() - restarted) / 1_000_000, before);
            try (ShopWrites shop = new ShopWrites(db::connect, 100)) {
                shop.start();
                Thread.sleep(3_000);
                shop.stop();
                assertThat(shop.transactions()).as("the application writes again").isPositive();
            }

            await().atMost(WAIT).until(() -> get(base.resolve("ready")).statusCode() == 200);
            assertThat(warmer.failure()).as("the service did not stop").isNotDone();
            try (var database = db.connect()) {
                await().atMost(WAIT).untilAsserted(() -> {
                    CacheAudit.Result audit = CacheAudit.run(database, redis.sync(), Shop.expectation(prefix));
                    assertThat(audit.exact()).as("the database against Redis: %s", audit).isTrue();
                });
            }
        } finally {
            client.shutdown();
        }
    }

    /**
     * Kafka unreachable for longer than the producers' delivery timeout and the Streams session timeout, under
     * writes to PostgreSQL: changes wait in the replication slot; once Kafka is back the service goes on, or, when
     * it stopped, says why in one line and a restart goes on, and no change is lost either way.
     */
    @Test
    void shouldLoseNoChangeWhenKafkaIsGoneForLongerThanItsTimeouts(TestInfra infra, @TempDir Path dir)
            throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        String prefix = infra.uniqueName("kafka-outage");
        try (var connection = db.connect()) {
            Shop.create(connection, CUSTOMERS);
        }
        EmbeddedKafka[] kafka = {EmbeddedKafka.start(dir)};
        WarmerConfig config = TestConfigs.parse(TestConfigs.withKafka(TestConfigs.yaml(infra, db,
                        "{uri: \"" + infra.redisUri() + "\"}",
                        "{port: 0, check-interval: 500ms, ready: {min-coverage: 1.0, max-lag: 0, sample: 300}}",
                        Shop.families(prefix)), SHORT_TIMEOUTS)
                .replace(infra.kafkaBootstrapServers(), kafka[0].bootstrapServers()));
        RedisClient client = RedisClient.create(infra.redisUri());
        WarmerService warmer = WarmerService.start(config);
        try (var redis = client.connect()) {
            await().atMost(WAIT).until(() -> warmer.capture() != null && warmer.capture().snapshotCompleted());
            kafka[0].close();
            long gone = System.nanoTime();
            try (ShopWrites shop = new ShopWrites(db::connect, 50)) {
                shop.start();
                Thread.sleep(KAFKA_OUTAGE.toMillis());
                shop.stop();
                LOG.info("Kafka gone for {} s; {} transactions meanwhile", (System.nanoTime() - gone) / 1_000_000_000,
                        shop.transactions());
            }
            kafka[0] = kafka[0].startAgain();
            // A capture that gave up during the outage may still be stopping (it tries to store its offsets first):
            // give it the time to say so before judging whether the service went on by itself.
            try {
                await().atMost(STOPPING).pollInterval(Duration.ofMillis(500)).until(() -> warmer.failure().isDone());
            } catch (org.awaitility.core.ConditionTimeoutException wentOn) {
                LOG.info("The service went on by itself after the outage");
            }
            WarmerService running = warmer;
            if (warmer.failure().isDone()) {
                LOG.info("The service stopped during the outage; starting it again");
                warmer.close();
                running = WarmerService.start(config);
            }
            try (WarmerService service = running;
                 ServiceMonitoring monitoring = ServiceMonitoring.start(config, service,
                         ServiceMonitoring.configuredTargets(config.http()));
                 var database = db.connect()) {
                URI base = monitoring.address().orElseThrow();
                await().atMost(WAIT).until(() -> get(base.resolve("ready")).statusCode() == 200);
                await().atMost(WAIT).untilAsserted(() -> {
                    CacheAudit.Result audit = CacheAudit.run(database, redis.sync(), Shop.expectation(prefix));
                    assertThat(audit.exact()).as("the database against Redis: %s", audit).isTrue();
                });
            }
        } finally {
            warmer.close();
            kafka[0].close();
            client.shutdown();
        }
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
