package io.warmer.http;

import io.warmer.runtime.ServiceMonitoring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmer.config.WarmerConfig;
import io.warmer.embedded.EmbeddedRedis;
import io.warmer.service.WarmerService;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probes follow the pipeline: not ready while it warms, ready once every family is covered, and neither healthy
 * nor ready once Redis is gone. Redis is a private server here, so that stopping it touches no other test.
 */
@ExtendWith(WarmerInfrastructure.class)
class HealthAndReadinessIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldGoFromNotReadyToReadyAndThenToUnhealthyWhenRedisIsLost(TestInfra infra, @TempDir Path dir)
            throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, 2000) i");
        EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
        String prefix = infra.uniqueName("probe");
        WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db,
                "{uri: \"" + redis.uri() + "\", write-timeout: 2s}",
                "{port: 0, check-interval: 300ms, ready: {min-coverage: 1.0, max-lag: 0, sample: 2000}}",
                "  - {name: profile, table: users, key: \"" + prefix + ":user:${id}\"}\n"));
        try (WarmerService service = WarmerService.start(config);
             ServiceMonitoring monitoring = ServiceMonitoring.start(config, service,
                     ServiceMonitoring.configuredTargets(config.http()))) {
            URI base = monitoring.address().orElseThrow();

            Answer notYet = get(base.resolve("ready"));
            assertThat(notYet.status()).as("/ready before the snapshot reached Redis: %s", notYet.body()).isEqualTo(503);
            assertThat(notYet.json().path("ready").asBoolean()).isFalse();
            assertThat(notYet.json().path("waitingFor").asText()).isNotBlank();

            await().atMost(WAIT).untilAsserted(() -> assertThat(get(base.resolve("health")).status()).isEqualTo(200));
            Answer health = get(base.resolve("health"));
            assertThat(health.json().path("parts").findValuesAsText("name"))
                    .containsExactly("capture", "materializer", "redis");

            await().atMost(WAIT).untilAsserted(() -> assertThat(get(base.resolve("ready")).status()).isEqualTo(200));
            JsonNode ready = get(base.resolve("ready")).json();
            assertThat(ready.path("ready").asBoolean()).isTrue();
            assertThat(ready.path("families").get(0).path("name").asText()).isEqualTo("profile");
            assertThat(ready.path("families").get(0).path("stage").asText()).isEqualTo("ready");
            assertThat(ready.path("families").get(0).path("coverage").asDouble()).isEqualTo(1.0);

            redis.close();

            await().atMost(WAIT).untilAsserted(() -> {
                Answer lost = get(base.resolve("health"));
                assertThat(lost.status()).isEqualTo(503);
                JsonNode redisPart = lost.json().path("parts").get(2);
                assertThat(redisPart.path("name").asText()).isEqualTo("redis");
                assertThat(redisPart.path("healthy").asBoolean()).isFalse();
                assertThat(redisPart.path("detail").asText()).contains(redis.host() + ":" + redis.port());
            });
            Answer notReady = get(base.resolve("ready"));
            assertThat(notReady.status()).isEqualTo(503);
            assertThat(notReady.json().path("waitingFor").asText()).contains("redis");
        } finally {
            redis.close();
        }
    }

    private record Answer(int status, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private Answer get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }
}
