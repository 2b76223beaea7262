package io.warmer.service;

import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.capture.PostgresPreflight;
import io.warmer.change.RowChangeCodec;
import io.warmer.config.WarmerConfig;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import io.warmer.verify.CacheVerifier;
import io.warmer.verify.VerifyReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A TOASTed column that an update leaves alone: PostgreSQL does not send it under the default REPLICA IDENTITY, and
 * Debezium puts a placeholder where it would be. No value in Redis ever holds the placeholder or loses the column:
 * the materializer fills it in from what it remembers (or from the old row, under REPLICA IDENTITY FULL).
 */
@ExtendWith(WarmerInfrastructure.class)
class ToastIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private TestDatabase db;
    private String prefix;
    private String yaml;
    private WarmerConfig config;
    private RedisClient client;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void createTable(TestInfra infra) {
        db = infra.postgres().newDatabase();
        // ~10 kB of hex a row: still more than 2 kB compressed, so stored out of line.
        db.execute("CREATE TABLE docs (id serial PRIMARY KEY, title text NOT NULL, body text NOT NULL)",
                "INSERT INTO docs (title, body) SELECT 'doc ' || i, (SELECT string_agg(md5(i::text || g::text), '')"
                        + " FROM generate_series(1, 320) g) FROM generate_series(1, 20) i");
        prefix = infra.uniqueName("toast");
        yaml = TestConfigs.yaml(infra, db, """
                  - {name: doc, table: docs, key: "%1$s:doc:${id}"}
                  - {name: title, table: docs, key: "%1$s:title:${id}", columns: [id, title]}
                """.formatted(prefix));
        config = TestConfigs.parse(yaml);
        client = RedisClient.create(infra.redisUri());
        redis = client.connect().sync();
    }

    @AfterEach
    void tearDown() {
        client.shutdown();
    }

    @ParameterizedTest(name = "REPLICA IDENTITY {0}")
    @ValueSource(strings = {"DEFAULT", "FULL"})
    void shouldKeepTheBodyWhenAnUpdateChangesOnlyTheTitle(String identity) throws Exception {
        db.execute("ALTER TABLE docs REPLICA IDENTITY " + identity);
        assertThat(outOfLine()).as("bodies stored out of line, so that an update does not send them").isPositive();
        String body = body(7);
        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).until(() -> redis.get(prefix + ":doc:20") != null);

            db.execute("UPDATE docs SET title = 'changed' WHERE id = 7");
            await().atMost(WAIT).until(() -> redis.get(prefix + ":title:7").contains("changed"));
            await().atMost(WAIT).until(() -> redis.get(prefix + ":doc:7") != null
                    && redis.get(prefix + ":doc:7").contains("changed"));

            if (identity.equals("DEFAULT")) {
                assertThat(lastChangeOf("{\"id\":7}")).as("the update as captured: PostgreSQL did not send the body")
                        .contains("\"unavailable\":[\"body\"]", "\"body\":null");
            }
            JsonNode doc = RowChangeCodec.json().readTree(redis.get(prefix + ":doc:7"));
            assertThat(doc.path("body").asText()).as("the body the update did not send").isEqualTo(body);
            assertThat(redis.get(prefix + ":doc:7")).doesNotContain("unavailable");
            assertThat(warmer.counters().unavailableByFamily()).isEmpty();
        }
        // After a restart the materializer's memory comes back from its changelog.
        try (WarmerService warmer = WarmerService.start(config)) {
            db.execute("UPDATE docs SET title = 'changed again' WHERE id = 7");
            await().atMost(WAIT).until(() -> redis.get(prefix + ":doc:7").contains("changed again"));
            assertThat(RowChangeCodec.json().readTree(redis.get(prefix + ":doc:7")).path("body").asText()).isEqualTo(body);

            try (Connection connection = db.connect(); Redis process = Redis.of(config.redis());
                 RedisConnection<String, String> reader = process.connect()) {
                var schemas = PostgresPreflight.check(config.source().postgres().endpoint(), config.tables(),
                        config.requiredColumns());
                VerifyReport report = new CacheVerifier(config, connection, reader.sync(), schemas)
                        .verify(null, System.currentTimeMillis());
                assertThat(report.drifted()).as("verify --full: %s", report.families()).isFalse();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void shouldNameTheTablesWhoseToastableColumnsAFamilyReadsInConfigCheck(@org.junit.jupiter.api.io.TempDir
                                                                          java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("warmer.yml");
        java.nio.file.Files.writeString(file, yaml);

        io.warmer.testing.Cli.Result check = io.warmer.testing.Cli.run("config", "check", "--config", file.toString(),
                "--connect");

        assertThat(check.exit()).as(check.out() + check.err()).isZero();
        // A title may be stored out of line too, when it is long enough: every variable-length column can.
        assertThat(check.out()).contains("table public.docs: families doc, title read TOASTable columns body, title,"
                + " which an update that leaves them unchanged does not send under REPLICA IDENTITY DEFAULT",
                "ALTER TABLE public.docs REPLICA IDENTITY FULL would send them with every update");

        db.execute("ALTER TABLE docs REPLICA IDENTITY FULL");
        io.warmer.testing.Cli.Result full = io.warmer.testing.Cli.run("config", "check", "--config", file.toString(),
                "--connect");
        assertThat(full.out()).contains("table public.docs: REPLICA IDENTITY FULL, so updates send TOASTable columns"
                + " body, title (read by doc, title) whole");
    }

    private String lastChangeOf(String key) {
        String topic = io.warmer.change.ChangeTopics.topicFor(config.kafka().topicPrefix(), io.warmer.change.TableId.parse("docs"));
        java.util.Map<String, Object> props = java.util.Map.of(
                org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers(),
                org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, "toast-" + java.util.UUID.randomUUID(),
                org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        String last = null;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(java.util.List.of(topic));
            long idleSince = System.currentTimeMillis();
            while (System.currentTimeMillis() - idleSince < 3_000) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    idleSince = System.currentTimeMillis();
                }
                for (var record : records) {
                    if (key.equals(record.key()) && record.value() != null) {
                        last = record.value();
                    }
                }
            }
        }
        return last;
    }

    /** Values in the table's TOAST relation: stored out of line. */
    private long outOfLine() throws Exception {
        try (Connection connection = db.connect(); var st = connection.createStatement()) {
            String toast;
            try (ResultSet rs = st.executeQuery("SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'docs'::regclass")) {
                rs.next();
                toast = rs.getString(1);
            }
            try (ResultSet rs = st.executeQuery("SELECT count(DISTINCT chunk_id) FROM " + toast)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private String body(int id) throws Exception {
        try (Connection connection = db.connect(); var st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT body FROM docs WHERE id = " + id)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
