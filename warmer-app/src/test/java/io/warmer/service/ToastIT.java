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

    /**
     * The snapshot remembers a row only when one of its values may be stored out of line, and tells so from how
     * PostgreSQL stores it, not from its size: here a 64-character value was moved out of line while its row was
     * wide, and stays there after the row shrank, before Warmer ever saw it. An update that leaves it alone does not
     * send it; the key must still hold it. A row whose values are all inline is not remembered (storedInline), and
     * its updates send every value.
     */
    @org.junit.jupiter.api.Test
    void shouldRememberASmallValueStoredOutOfLineAndNotARowStoredInline(TestInfra infra) throws Exception {
        db.execute("CREATE TABLE wide (id int PRIMARY KEY, a text, c1 text, c2 text, c3 text, c4 text)",
                "ALTER TABLE wide SET (toast_tuple_target = 128)",
                "ALTER TABLE wide ALTER a SET STORAGE EXTERNAL, ALTER c1 SET STORAGE EXTERNAL,"
                        + " ALTER c2 SET STORAGE EXTERNAL, ALTER c3 SET STORAGE EXTERNAL, ALTER c4 SET STORAGE EXTERNAL",
                "INSERT INTO wide VALUES (1, md5('a') || md5('b'), repeat('1', 600), repeat('2', 600), repeat('3', 600),"
                        + " repeat('4', 600)), (2, md5('c') || md5('d'), '1', '2', '3', '4')",
                "UPDATE wide SET c1 = '1', c2 = '2', c3 = '3', c4 = '4' WHERE id = 1");
        try (Connection connection = db.connect(); var st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, pg_column_size(a) = octet_length(a) FROM wide ORDER BY id")) {
            rs.next();
            assertThat(rs.getBoolean(2)).as("row 1's small value is stored out of line (no header)").isTrue();
            rs.next();
            assertThat(rs.getBoolean(2)).as("row 2's is inline").isFalse();
        }
        String wide = infra.uniqueName("wide");
        WarmerConfig wideConfig = TestConfigs.parse(TestConfigs.yaml(infra, db, """
                  - {name: wide, table: wide, key: "%1$s:wide:${id}"}
                """.formatted(wide)));
        try (WarmerService warmer = WarmerService.start(wideConfig)) {
            await().atMost(WAIT).until(() -> redis.get(wide + ":wide:2") != null && redis.get(wide + ":wide:1") != null);
            assertThat(lastChangeOf(wideConfig, "wide", "{\"id\":1}")).doesNotContain("storedInline");
            assertThat(lastChangeOf(wideConfig, "wide", "{\"id\":2}")).contains("\"storedInline\":true");

            db.execute("UPDATE wide SET c1 = 'x' WHERE id IN (1, 2)");
            await().atMost(WAIT).until(() -> redis.get(wide + ":wide:1") != null && redis.get(wide + ":wide:1").contains("\"x\"")
                    && redis.get(wide + ":wide:2").contains("\"x\""));
            assertThat(lastChangeOf(wideConfig, "wide", "{\"id\":1}")).as("PostgreSQL did not send a")
                    .contains("\"unavailable\":[\"a\"]");
            assertThat(RowChangeCodec.json().readTree(redis.get(wide + ":wide:1")).path("a").asText())
                    .isEqualTo("0cc175b9c0f1b6a831c399e26977266192eb5ffee6ae2fec3ad71c777531578f");
            assertThat(RowChangeCodec.json().readTree(redis.get(wide + ":wide:2")).path("a").asText())
                    .isEqualTo("4a8a08f09d37b73795649038408b5f33" + "8277e0910d750195b448797616e091ad");
            assertThat(warmer.counters().unavailableByFamily()).isEmpty();
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
        return lastChangeOf(config, "docs", key);
    }

    private static String lastChangeOf(WarmerConfig config, String table, String key) {
        String topic = io.warmer.change.ChangeTopics.topicFor(config.kafka().topicPrefix(), io.warmer.change.TableId.parse(table));
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
