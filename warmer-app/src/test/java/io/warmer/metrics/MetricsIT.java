package io.warmer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.warmer.config.WarmerConfig;
import io.warmer.runtime.ServiceMonitoring;
import io.warmer.service.WarmerService;
import io.warmer.sink.FencedWrites;
import io.warmer.sink.SinkCounters;
import io.warmer.testing.PrometheusText;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /metrics} of a real pipeline, read as Prometheus text, strictly. */
@ExtendWith(WarmerInfrastructure.class)
class MetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int USERS = 30;
    /**
     * Its key holds a newer version before the row exists: Redis refuses its insert and its delete (fencing). Deleted,
     * so that its missing key does not lower the coverage.
     */
    private static final int FENCED_USER = USERS;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldExposeWhatThePipelineDidAsPrometheusText(TestInfra infra) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "CREATE TABLE contacts (id bigint PRIMARY KEY, email text)");
        String p = infra.uniqueName("mx");
        WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db, """
                  - {name: profile, table: users, key: "%s:user:${id}"}
                  - {name: by-email, table: contacts, key: "%s:email:${email}"}
                """.formatted(p, p)));
        RedisClient redisClient = RedisClient.create(infra.redisUri());
        try (StatefulRedisConnection<String, String> redis = redisClient.connect();
             WarmerService service = WarmerService.start(config);
             ServiceMonitoring monitoring = ServiceMonitoring.start(config, service,
                     ServiceMonitoring.configuredTargets(config.http()), Duration.ofMillis(500))) {
            URI metrics = monitoring.address().orElseThrow().resolve("/metrics");
            await().atMost(WAIT).until(() -> service.capture().snapshotCompleted());

            // Every write from here on is timed: the tables were empty at the snapshot.
            redis.sync().set(FencedWrites.versionKeyOf(p + ":user:" + FENCED_USER), io.warmer.change.Version.of(Long.MAX_VALUE, Long.MAX_VALUE).text());
            db.execute("INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, " + USERS + ") i",
                    "INSERT INTO contacts SELECT i, 'c' || i || '@example.com' FROM generate_series(1, 5) i",
                    "UPDATE contacts SET email = NULL WHERE id = 3");
            db.execute("UPDATE users SET name = 'renamed ' || id WHERE id <= 5",
                    "DELETE FROM users WHERE id BETWEEN 6 AND 8 OR id = " + FENCED_USER);
            long puts = USERS + 5;
            long deletes = 4;
            SinkCounters counters = service.counters();
            long contactPuts = 5; // the update to a NULL email cannot be rendered: it is set aside
            await().atMost(WAIT).until(() -> counters.puts() >= puts + contactPuts && counters.deletes() >= deletes
                    && counters.deadLetteredByFamily().getOrDefault("by-email", 0L) >= 1);

            AtomicReference<PrometheusText> last = new AtomicReference<>();
            await().atMost(WAIT).untilAsserted(() -> {
                PrometheusText text = scrape(metrics);
                last.set(text);
                assertThat(text.value("warmer_ready")).as("after the warm-up").contains(1.0);
                assertThat(text.value("warmer_redis_pipeline_depth")).as("every write acknowledged").contains(0.0);
            });
            PrometheusText text = last.get();

            SinkCounters.Counts profile = counters.byFamily().get("profile");
            assertThat(profile).isEqualTo(new SinkCounters.Counts(puts, deletes, 2));
            assertThat(text.value("warmer_keys_written_total", "family", "profile")).contains((double) profile.puts());
            assertThat(text.value("warmer_keys_deleted_total", "family", "profile")).contains((double) profile.deletes());
            assertThat(text.value("warmer_writes_fenced_total", "family", "profile")).contains(2.0);
            assertThat(redis.sync().keys(p + ":user:*")).as("the rows left").hasSize(USERS - (int) deletes);
            SinkCounters.Counts byEmail = counters.byFamily().get("by-email");
            assertThat(text.value("warmer_keys_written_total", "family", "by-email")).contains((double) contactPuts)
                    .contains((double) byEmail.puts());
            assertThat(text.value("warmer_dead_lettered_total", "family", "by-email")).as("the NULL email")
                    .contains(1.0);
            assertThat(text.value("warmer_dead_lettered_total", "family", "profile")).contains(0.0);

            assertThat(text.type("warmer_write_latency_seconds")).contains("histogram");
            assertThat(text.value("warmer_write_latency_seconds_count", "family", "profile")).hasValueSatisfying(
                    count -> assertThat(count).isGreaterThanOrEqualTo(profile.puts() + profile.deletes()));
            assertThat(text.value("warmer_write_latency_seconds_count", "family", "by-email")).hasValueSatisfying(
                    count -> assertThat(count).isGreaterThanOrEqualTo(byEmail.puts()));
            assertThat(text.value("warmer_redis_round_trip_seconds_count")).hasValueSatisfying(
                    count -> assertThat(count).isPositive());
            assertThat(text.value("warmer_family_ready", "family", "profile")).contains(1.0);
            assertThat(text.value("warmer_coverage_ratio", "family", "profile")).contains(1.0);
            assertThat(text.value("warmer_consumer_lag_records", "family", "profile")).isPresent();
            assertThat(text.value("warmer_snapshot_completed")).contains(1.0);
            assertThat(text.value("warmer_capture_standby")).as("this process captures").contains(0.0);
            assertThat(text.value("warmer_eviction_guard_paused")).contains(0.0);

            assertThat(text.named("jvm_memory_used_bytes")).isNotEmpty();
            assertThat(text.hasSeriesStartingWith("kafka_stream_")).as("Kafka Streams' own metrics").isTrue();
            assertThat(text.value("debezium_streaming_connected")).as("the connector's MBeans, bridged").contains(1.0);
            assertThat(text.hasSeriesStartingWith("debezium_snapshot_")).isTrue();
        } finally {
            redisClient.shutdown();
        }
    }

    private PrometheusText scrape(URI metrics) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains(WarmerMetrics.CONTENT_TYPE);
        return PrometheusText.parse(response.body());
    }
}
