package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.capture.SourceSchemaException;
import io.warmer.capture.TopicReader;
import io.warmer.change.ChangeTopics;
import io.warmer.change.DeadLetterHeaders;
import io.warmer.config.WarmerConfig;
import io.warmer.runtime.ServiceMonitoring;
import io.warmer.status.StatusProbe;
import io.warmer.testing.FullVerify;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import io.warmer.verify.VerifyReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A table's columns change while Warmer streams it. An added column reaches the families that cache whole rows
 * (the table is snapshotted anew from its first change after the DDL). A dropped, renamed or retyped column that a
 * family names breaks that family alone: its changes are dead-lettered with a reason naming table, column and family,
 * its keys are deleted rather than written without the column, and {@code /ready}, the status and the metrics name
 * it; the other families go on. Fixing the configuration and restarting snapshots the table again and recovers it.
 */
@ExtendWith(WarmerInfrastructure.class)
class SchemaChangeIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 40;

    private final HttpClient http = HttpClient.newHttpClient();
    private TestInfra infra;
    private TestDatabase db;
    private String prefix;
    private TestConfigs.Deployment deployment;
    private RedisClient client;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void createTable(TestInfra infra) {
        this.infra = infra;
        db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE customers (id serial PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL,"
                        + " score numeric(8,2), joined timestamptz NOT NULL, prefs jsonb)",
                "INSERT INTO customers (first_name, last_name, score, joined, prefs) SELECT 'first ' || i, 'last ' || i,"
                        + " i * 1.25, '2026-03-01 08:00+00'::timestamptz + i * interval '1 hour', jsonb_build_object('i', i)"
                        + " FROM generate_series(1, " + ROWS + ") i");
        prefix = infra.uniqueName("schema");
        deployment = TestConfigs.Deployment.unique(infra);
        client = RedisClient.create(infra.redisUri());
        redis = client.connect().sync();
    }

    @AfterEach
    void tearDown() {
        client.shutdown();
    }

    /** The families, with the {@code name} family's columns as given; one deployment (slot, topics, application). */
    private WarmerConfig config(String nameColumns) {
        return TestConfigs.parse(TestConfigs.yaml(infra, db, deployment, "{uri: \"" + infra.redisUri() + "\"}",
                "{port: 0, check-interval: 300ms, ready: {min-coverage: 1.0, max-lag: 0, sample: " + ROWS + "}}", """
                          - {name: customer, table: customers, key: "%1$s:c:${id}"}
                          - {name: name, table: customers, key: "%1$s:n:${id}", columns: [%2$s]}
                          - {name: score, table: customers, key: "%1$s:s:${id}", columns: [id, score]}
                        """.formatted(prefix, nameColumns)));
    }

    @Test
    void shouldIncludeAnAddedColumnInWholeRowValuesFromTheNextChange() throws Exception {
        WarmerConfig config = config("id, first_name, last_name");
        try (WarmerService warmer = WarmerService.start(config)) {
            awaitAll("c");

            db.execute("ALTER TABLE customers ADD COLUMN nickname text NOT NULL DEFAULT 'none'",
                    "UPDATE customers SET nickname = 'the fifth' WHERE id = 5");

            await().atMost(WAIT).until(() -> redis.get(prefix + ":c:5") != null
                    && redis.get(prefix + ":c:5").contains("\"nickname\":\"the fifth\""));
            // The table is snapshotted anew: every whole-row value gets the column, not only the changed row's.
            await().atMost(WAIT).until(() -> keys("c").stream().allMatch(k -> {
                String value = redis.get(k);
                return value != null && value.contains("\"nickname\":");
            }));
            assertThat(redis.get(prefix + ":n:5")).as("a family with columns keeps to them")
                    .doesNotContain("nickname");
            assertThat(warmer.counters().brokenFamilies()).isEmpty();
            assertThat(verifyFull(config).drifted()).as("verify --full agrees").isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "RENAME COLUMN first_name TO given_name | id, given_name, last_name | given_name",
        "DROP COLUMN first_name                 | id, last_name             | last_name"})
    void shouldStopTheFamilyThatReadsAGoneColumnUntilItsConfigurationIsFixed(String alter, String fixedColumns,
                                                                           String fixedShows) throws Exception {
        WarmerConfig config = config("id, first_name, last_name");
        try (WarmerService warmer = WarmerService.start(config);
             ServiceMonitoring monitoring = ServiceMonitoring.start(config, warmer,
                     ServiceMonitoring.configuredTargets(config.http()))) {
            URI base = monitoring.address().orElseThrow();
            await().atMost(WAIT).until(() -> get(base.resolve("ready")).statusCode() == 200);

            db.execute("ALTER TABLE customers " + alter, "UPDATE customers SET last_name = 'changed' WHERE id = 5");

            String reason = deadLetterReason(config, "name");
            assertThat(reason).contains("column 'first_name' of public.customers", "family name", "restart");
            // Never a value without the column: every key of the family goes, as the table is snapshotted anew.
            await().atMost(WAIT).until(() -> keys("n").isEmpty());
            await().atMost(WAIT).until(() -> redis.get(prefix + ":c:5").contains("\"last_name\":\"changed\""));
            assertThat(redis.get(prefix + ":c:5")).doesNotContain("\"first_name\"");
            assertThat(keys("s")).as("the other families go on").hasSize(ROWS);

            await().atMost(WAIT).untilAsserted(() -> {
                HttpResponse<String> ready = get(base.resolve("ready"));
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("name: its configuration to be fixed", "column 'first_name'");
            });
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode score = JSON.readTree(get(base.resolve("api/status")).body()).path("families").get(2);
                assertThat(score.path("ready").asBoolean()).as("family score: %s", score).isTrue();
            });
            assertThat(get(base.resolve("metrics")).body()).contains("warmer_family_broken{family=\"name\"} 1.0",
                    "warmer_family_broken{family=\"score\"} 0.0");
            await().atMost(WAIT).untilAsserted(() -> assertThat(new StatusProbe(config, warmer.redis()).look(0, Duration.ZERO)
                    .families().get(1).broken()).as("warmer status").contains("column 'first_name'"));
        }

        assertThatThrownBy(() -> WarmerService.start(config)).as("the old configuration at start-up")
                .isInstanceOf(SourceSchemaException.class)
                .hasMessageContaining("has no column 'first_name'").hasMessageContaining("families[1] (name) reads it");

        WarmerConfig fixed = config(fixedColumns);
        try (WarmerService warmer = WarmerService.start(fixed)) {
            awaitAll("n");
            assertThat(redis.get(prefix + ":n:5")).contains("\"" + fixedShows + "\":", "\"last_name\":\"changed\"");
            assertThat(warmer.counters().brokenFamilies()).isEmpty();
            assertThat(verifyFull(fixed).drifted()).as("verify --full after the fix").isFalse();
        }
    }

    @Test
    void shouldStopTheFamilyThatReadsARetypedColumnUntilRestarted() throws Exception {
        WarmerConfig config = config("id, first_name, last_name");
        try (WarmerService warmer = WarmerService.start(config)) {
            awaitAll("s");

            db.execute("ALTER TABLE customers ALTER COLUMN score TYPE text USING score::text",
                    "UPDATE customers SET score = 'gold' WHERE id = 5");

            assertThat(deadLetterReason(config, "score")).contains("column 'score' of public.customers changed its type",
                    "family score");
            await().atMost(WAIT).until(() -> keys("s").isEmpty());
            assertThat(warmer.counters().brokenFamilies()).containsOnlyKeys("score");
            await().atMost(WAIT).until(() -> redis.get(prefix + ":c:5").contains("\"score\":\"gold\""));
            assertThat(keys("n")).hasSize(ROWS);
        }
        // A restart accepts the new type: the table is snapshotted again, and the family fills.
        try (WarmerService warmer = WarmerService.start(config)) {
            awaitAll("s");
            assertThat(redis.get(prefix + ":s:5")).contains("\"score\":\"gold\"");
            assertThat(redis.get(prefix + ":s:6")).contains("\"score\":\"7.50\"");
            assertThat(verifyFull(config).drifted()).isFalse();
        }
    }

    private void awaitAll(String kind) {
        await().atMost(WAIT).until(() -> keys(kind).size() == ROWS);
    }

    private List<String> keys(String kind) {
        List<String> present = new ArrayList<>();
        IntStream.rangeClosed(1, ROWS).mapToObj(i -> prefix + ":" + kind + ":" + i)
                .filter(k -> redis.exists(k) > 0).forEach(present::add);
        return present;
    }

    /** The reason of the first dead letter the family set aside. */
    private String deadLetterReason(WarmerConfig config, String family) {
        String topic = ChangeTopics.deadLetterTopic(config.kafka().topicPrefix());
        List<String> reasons = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            reasons.clear();
            TopicReader.readAll(config.kafka().clients(), topic, record -> {
                var familyHeader = record.headers().lastHeader(DeadLetterHeaders.FAMILY);
                var reason = record.headers().lastHeader(DeadLetterHeaders.REASON);
                if (familyHeader != null && reason != null
                        && family.equals(new String(familyHeader.value(), StandardCharsets.UTF_8))) {
                    reasons.add(new String(reason.value(), StandardCharsets.UTF_8));
                }
            });
            return !reasons.isEmpty();
        });
        return reasons.get(0);
    }

    private VerifyReport verifyFull(WarmerConfig config) throws Exception {
        return FullVerify.assertNoDrift(config, db);
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
