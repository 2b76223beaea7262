package io.warmer.http;

import io.warmer.runtime.ServiceMonitoring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.config.WarmerConfig;
import io.warmer.service.WarmerService;
import io.warmer.testing.Cli;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness judges values, not presence: a key that holds another value than the database says keeps {@code /ready}
 * at 503 and is reported as stale once the pipeline has passed its row's change; a value still in flight is not.
 */
@ExtendWith(WarmerInfrastructure.class)
class ValueReadinessIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ROWS = 60;

    private final HttpClient http = HttpClient.newHttpClient();
    private TestDatabase db;
    private String prefix;
    private String yaml;
    private WarmerConfig config;
    private RedisClient client;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void setUp(TestInfra infra) {
        db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id serial PRIMARY KEY, name text, balance numeric(12,2), seen timestamptz)",
                "INSERT INTO users (name, balance, seen) SELECT 'user ' || i, i * 1.5, '2026-01-01 00:00+00'::timestamptz"
                        + " + i * interval '1 minute' FROM generate_series(1, " + ROWS + ") i");
        prefix = infra.uniqueName("values");
        yaml = TestConfigs.yaml(infra, db, "{uri: \"" + infra.redisUri() + "\"}",
                "{port: 0, check-interval: 300ms, ready: {min-coverage: 1.0, max-lag: 0, sample: " + ROWS + "}}",
                "  - {name: profile, table: users, key: \"" + prefix + ":user:${id}\"}\n");
        config = TestConfigs.parse(yaml);
        client = RedisClient.create(infra.redisUri());
        redis = client.connect().sync();
    }

    @AfterEach
    void tearDown() {
        client.shutdown();
    }

    @Test
    void shouldNotBeReadyWhileAValueIsStaleAndSayWhichUntilItIsRepaired(@TempDir Path dir) throws Exception {
        try (WarmerService service = WarmerService.start(config);
             ServiceMonitoring monitoring = ServiceMonitoring.start(config, service, ServiceMonitoring.configuredTargets(config.http()))) {
            URI base = monitoring.address().orElseThrow();
            await().atMost(WAIT).until(() -> status(base.resolve("ready")) == 200);

            // Another writer changed a value behind Warmer's back: present, and wrong.
            redis.set(prefix + ":user:7", "{\"id\":7,\"name\":\"someone else's\"}");
            // From the first check that started after the change (the one running may have read the key before).
            String changedAfter = lastCheck(base);
            await().atMost(WAIT).until(() -> !lastCheck(base).equals(changedAfter));
            String firstCheck = lastCheck(base);
            await().atMost(WAIT).until(() -> !lastCheck(base).equals(firstCheck));

            AtomicLong readyWhileWrong = new AtomicLong();
            await().atMost(WAIT).untilAsserted(() -> {
                HttpResponse<String> ready = get(base.resolve("ready"));
                if (ready.statusCode() == 200) {
                    readyWhileWrong.incrementAndGet();
                }
                assertThat(ready.body()).contains("1 stale value (e.g. " + prefix + ":user:7)",
                        "warmer snapshot --family profile");
            });
            assertThat(readyWhileWrong).as("/ready answered 200 while a value was wrong").hasValue(0);
            JsonNode family = JSON.readTree(get(base.resolve("api/status")).body()).path("families").get(0);
            assertThat(family.path("stale").asLong()).isEqualTo(1);
            assertThat(family.path("coverage").asDouble()).isLessThan(1.0);
            assertThat(get(base.resolve("metrics")).body()).contains("warmer_stale_ratio{family=\"profile\"}");

            Path file = dir.resolve("warmer.yml");
            Files.writeString(file, yaml);
            Cli.Result repaired = Cli.run("snapshot", "--config", file.toString(), "--family", "profile", "--timeout", "60s");
            assertThat(repaired.exit()).as(repaired.out() + repaired.err()).isZero();

            await().atMost(WAIT).until(() -> status(base.resolve("ready")) == 200);
            assertThat(redis.get(prefix + ":user:7")).contains("\"name\":\"user 7\"");
        }
    }

    @Test
    void shouldNotCountAValueInFlightAsStale() throws Exception {
        try (WarmerService service = WarmerService.start(config);
             ServiceMonitoring monitoring = ServiceMonitoring.start(config, service, ServiceMonitoring.configuredTargets(config.http()))) {
            URI base = monitoring.address().orElseThrow();
            await().atMost(WAIT).until(() -> status(base.resolve("ready")) == 200);

            // Redis holds Warmer's writes back for 4 s: the new balance is in flight, the old one still cached.
            io.lettuce.core.codec.StringCodec codec = io.lettuce.core.codec.StringCodec.UTF8;
            redis.dispatch(io.lettuce.core.protocol.CommandType.CLIENT, new io.lettuce.core.output.StatusOutput<>(codec),
                    new io.lettuce.core.protocol.CommandArgs<>(codec).add("PAUSE").add(4_000).add("WRITE"));
            db.execute("UPDATE users SET balance = balance + 1000 WHERE id <= 5");

            AtomicLong maxStale = new AtomicLong();
            AtomicLong maxInFlight = new AtomicLong();
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < until) {
                JsonNode family = JSON.readTree(get(base.resolve("api/status")).body()).path("families").get(0);
                maxStale.accumulateAndGet(family.path("stale").asLong(), Math::max);
                maxInFlight.accumulateAndGet(family.path("inFlight").asLong(), Math::max);
                Thread.sleep(100);
            }
            await().atMost(WAIT).until(() -> status(base.resolve("ready")) == 200);

            assertThat(maxInFlight.get()).as("values seen in flight while Redis held the writes").isPositive();
            assertThat(maxStale).as("in-flight values counted as stale").hasValue(0);
            assertThat(redis.get(prefix + ":user:3")).contains("\"balance\":1004.50");
        }
    }

    private String lastCheck(URI base) throws Exception {
        return JSON.readTree(get(base.resolve("api/status")).body()).path("lastCheck").asText();
    }

    private int status(URI uri) throws Exception {
        return get(uri).statusCode();
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
