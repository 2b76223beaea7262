package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.warmer.capture.TopicReader;
import io.warmer.change.ChangeTopics;
import io.warmer.change.DeadLetterHeaders;
import io.warmer.cli.ExitCodes;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.kafka.KafkaClients;
import io.warmer.monitor.WarmupGate;
import io.warmer.testing.Cli;
import io.warmer.testing.FullVerify;
import io.warmer.testing.PackagedWarmer;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import io.warmer.testing.WarmerProcess;
import io.warmer.testkit.CacheAudit;
import io.warmer.testkit.Shop;
import io.warmer.testkit.ShopWrites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code source: debezium-topics}: a real Debezium PostgreSQL connector runs in a Kafka Connect worker (in this
 * JVM, the standard JSON converter with schemas) and writes its topics; Warmer reads them, with no replication slot
 * of its own, and materializes a plain family and a joined one. Warmer is SIGKILLed under live writes and
 * restarted; a record that is no Debezium event goes to the dead-letter topic with its reason; then the database and
 * Redis are compared independently (0 missing, 0 stale, 0 extra).
 */
@ExtendWith(WarmerInfrastructure.class)
class DebeziumTopicsIT {

    private static final Duration WAIT = Duration.ofSeconds(180);

    @Test
    void shouldMaterializeTheTopicsOfAKafkaConnectDebeziumDeployment(TestInfra infra, @TempDir Path dir)
            throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE makers (id serial PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE products (id serial PRIMARY KEY, maker_id int NOT NULL REFERENCES makers(id), name text,"
                        + " price numeric(12,2), listed timestamptz, attributes jsonb, notes text)",
                "INSERT INTO makers (name) SELECT 'maker ' || i FROM generate_series(1, 10) i",
                "INSERT INTO products (maker_id, name, price, listed, attributes, notes) SELECT 1 + i % 10,"
                        + " 'product ' || i, i * 1.25, timestamptz '2026-01-01 00:00+00' + i * interval '1 minute',"
                        + " jsonb_build_object('size', i, 'tags', jsonb_build_array('a', 'b')),"
                        + " (SELECT string_agg(md5(i::text || g::text), '') FROM generate_series(1, 100) g)"
                        + " FROM generate_series(1, 500) i");
        String debeziumPrefix = infra.uniqueName("dbz");
        String prefix = infra.uniqueName("dbzwarm");

        Connect<StandaloneHerder> connect = startConnect(infra, dir);
        try {
            deployConnector(connect, infra, db, debeziumPrefix, "public.makers,public.products");
            KafkaClients kafka = KafkaClients.plaintext(infra.kafkaBootstrapServers());
            awaitTopics(kafka, debeziumPrefix + ".public.makers", debeziumPrefix + ".public.products");

            Path file = dir.resolve("warmer.yml");
            Files.writeString(file, """
                    source:
                      debezium-topics: {topic-prefix: %s}
                      postgres: {host: %s, port: %d, database: %s, user: %s, password-env: DBZ_IT_PASSWORD}
                    kafka: {bootstrap-servers: "%s", topic-prefix: %s, partitions: 2, application-id: %s}
                    redis: {uri: "%s"}
                    http: {port: 0}
                    families:
                      - name: product
                        table: products
                        key: "%s:product:${id}"
                      - name: maker
                        table: makers
                        key: "%s:maker:${id}"
                        join:
                          - {table: products, on: {maker_id: id}, as: products, columns: [id, name, price], many: true}
                    """.formatted(debeziumPrefix, infra.postgres().host(), infra.postgres().port(), db.name(),
                    infra.postgres().user(), infra.kafkaBootstrapServers(), prefix, infra.uniqueName("dbzapp"),
                    infra.redisUri(), prefix, prefix));
            Map<String, String> env = Map.of("DBZ_IT_PASSWORD", infra.postgres().password());
            WarmerConfig config = new ConfigLoader(env::get).load(file);

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong writes = new AtomicLong();
            Thread writer = new Thread(() -> write(db, writing, writes), "debezium-it-writes");
            WarmerProcess warmer = WarmerProcess.start(file, dir, "first", env);
            try {
                writer.start();
                await().atMost(WAIT).until(() -> writes.get() > 150);
                warmer.kill(); // SIGKILL while it translates and materializes under live writes
                await().atMost(WAIT).until(() -> writes.get() > 300);
                warmer = WarmerProcess.start(file, dir, "second", env);
                await().atMost(WAIT).until(() -> writes.get() > 450);
                writing.set(false);
                writer.join(TimeUnit.SECONDS.toMillis(30));

                try (var producer = kafka.producer(Map.of(), new StringSerializer(), new StringSerializer())) {
                    producer.send(new ProducerRecord<>(debeziumPrefix + ".public.products", "{\"id\":1}",
                            "{\"hello\":\"not a change event\"}")).get();
                }
                await().atMost(WAIT).ignoreExceptions()
                        .untilAsserted(() -> FullVerify.assertNoDrift(config, db));

                ProcessBuilder command = PackagedWarmer.command("verify", "--config", file.toString(), "--full")
                        .redirectErrorStream(true).redirectOutput(dir.resolve("verify.out").toFile());
                command.environment().putAll(env);
                Process verify = command.start();
                verify.waitFor(3, TimeUnit.MINUTES);
                assertThat(verify.exitValue()).as(Files.readString(dir.resolve("verify.out"))).isZero();

                List<String> reasons = new ArrayList<>();
                TopicReader.readAll(kafka, ChangeTopics.deadLetterTopic(prefix), record -> {
                    var reason = record.headers().lastHeader(DeadLetterHeaders.REASON);
                    reasons.add(reason == null ? "" : new String(reason.value(), StandardCharsets.UTF_8));
                });
                assertThat(reasons).as("dead letters").hasSize(1);
                assertThat(reasons.get(0)).contains("is not JSON with a schema and a payload")
                        .contains("schemas.enable=true");
                assertThat(warmer.output()).doesNotContain("Exception");
            } finally {
                writing.set(false);
                warmer.close();
            }
        } finally {
            connect.stop();
            connect.awaitStop();
        }
    }

    /**
     * Without {@code source.postgres}: no database connection at all. The shop's schema (serial keys, a foreign key
     * with cascading deletes, numeric, jsonb, timestamptz, TOASTed notes that updates leave out) is written live;
     * Warmer is SIGKILLed and restarted; readiness, {@code status} and {@code warmup} judge what Kafka and Redis tell
     * and say that values were not compared; {@code verify} says it needs the database; and the database and Redis are
     * compared independently (0 missing, 0 stale, 0 extra).
     */
    @Test
    void shouldServeWithoutADatabaseAndSayWhatItCannotJudge(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        try (Connection connection = db.connect()) {
            Shop.create(connection, 500);
        }
        String debeziumPrefix = infra.uniqueName("dbzshop");
        String prefix = infra.uniqueName("dbznodb");
        Connect<StandaloneHerder> connect = startConnect(infra, dir);
        ShopWrites shop = new ShopWrites(db::connect, 80);
        try {
            deployConnector(connect, infra, db, debeziumPrefix, "public.customers,public.orders");
            KafkaClients kafka = KafkaClients.plaintext(infra.kafkaBootstrapServers());
            awaitTopics(kafka, debeziumPrefix + ".public.customers", debeziumPrefix + ".public.orders");
            Path file = shopWithoutDatabase(infra, dir, debeziumPrefix, prefix);

            shop.start();
            WarmerProcess warmer = WarmerProcess.start(file, dir, "first");
            try {
                WarmerProcess first = warmer;
                await().atMost(WAIT).until(() -> written(first) > 1_000);
                warmer.kill(); // SIGKILL while it translates and materializes under live writes
                long killedAt = shop.transactions();
                await().atMost(WAIT).until(() -> shop.transactions() > killedAt + 200);
                warmer = WarmerProcess.start(file, dir, "second");
                await().atMost(WAIT).until(() -> shop.transactions() > killedAt + 500);
                shop.stop();
                // Customer 100's note is TOASTed: an update that leaves it alone does not carry it, and without a
                // catalog to ask, Warmer has remembered it (else the key would be deleted, and the audit find it missing).
                db.execute("UPDATE customers SET balance = balance + 1 WHERE id = 100");

                warmer.awaitReady(WAIT);
                assertThat(warmer.json("ready").path("unjudged").asText()).as("/ready")
                        .isEqualTo(WarmupGate.VALUES_UNJUDGED);
                assertThat(warmer.json("api/status").path("unjudged").asText()).as("/api/status")
                        .isEqualTo(WarmupGate.VALUES_UNJUDGED);
                RedisClient client = RedisClient.create(infra.redisUri());
                try (var connection = client.connect(); var database = db.connect()) {
                    // The connector reads the WAL on its own time: the topics reach the database's last write later.
                    await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                        CacheAudit.Result audit = CacheAudit.run(database, connection.sync(), Shop.expectation(prefix));
                        assertThat(audit.exact()).as("the database against Redis: %s", audit).isTrue();
                    });
                } finally {
                    client.shutdown();
                }

                Cli.Result status = Cli.run("status", "--config", file.toString(), "--window", "0s");
                assertThat(status.exit()).as(status.err()).isZero();
                assertThat(status.out()).contains("reading the Debezium deployment's topics")
                        .contains("coverage not measured: no source.postgres to compare Redis with");
                Cli.Result verify = Cli.run("verify", "--config", file.toString());
                assertThat(verify.exit()).isEqualTo(ExitCodes.BAD_CONFIG);
                assertThat(verify.err().strip()).isEqualTo("error: the configuration: source.postgres: is not"
                        + " configured, and verify compares Redis with the database: add a read-only user beside"
                        + " debezium-topics, e.g. postgres: {host: db, database: app, user: warmer_ro, password-env:"
                        + " WARMER_PG_PASSWORD}");
                assertThat(warmer.output()).doesNotContain("Exception");
            } finally {
                warmer.close();
            }

            Cli.Result warmup = Cli.run("warmup", "--config", file.toString(), "--timeout", "3m");
            assertThat(warmup.exit()).as(warmup.out() + warmup.err()).isZero();
            assertThat(warmup.out()).contains("memory: not estimated: no source.postgres")
                    .contains("customer: coverage not measured, lag 0")
                    .contains("warmup: not judged: " + WarmupGate.VALUES_UNJUDGED)
                    .contains("warmup: ready; lag 0 (target 0), coverage not measured");
        } finally {
            shop.close();
            connect.stop();
            connect.awaitStop();
        }
    }

    @Test
    void shouldSayWhichDebeziumTopicsAreMissingAndWhatToCheck(TestInfra infra) {
        String debeziumPrefix = infra.uniqueName("nodbz");
        WarmerConfig config = new ConfigLoader(name -> null).parse("""
                source:
                  debezium-topics: {topic-prefix: %s}
                kafka: {bootstrap-servers: "%s", topic-prefix: %s}
                redis: {uri: "%s"}
                families:
                  - {name: user, table: users, key: "u:${id}"}
                """.formatted(debeziumPrefix, infra.kafkaBootstrapServers(), infra.uniqueName("nodbzwarm"),
                infra.redisUri()), "warmer.yml");

        assertThatThrownBy(() -> WarmerService.start(config, Role.ALL))
                .hasMessage("The Debezium topics [" + debeziumPrefix + ".public.users] do not exist on Kafka at "
                        + infra.kafkaBootstrapServers() + ": check source.debezium-topics.topic-prefix (a table's topic"
                        + " is <prefix>.<schema>.<table>, or name it under source.debezium-topics.topics) and that the"
                        + " connector captures the table.");
    }

    /**
     * The connector snapshots the tables again after it streamed: its worker is replaced by one with no offsets and
     * a new slot, as when a slot was lost or offsets were reset, after rows were updated, inserted and deleted while
     * nothing streamed. Without placing the second snapshot's reads after what was streamed before (they used to
     * order before every streamed change), fencing refused them and the rows updated meanwhile kept their older
     * values; without the rows the second snapshot did not read again being deleted, the deleted ones kept their
     * keys. Warmer is SIGKILLed while the second snapshot comes in, under live writes; then the database and Redis
     * are compared independently.
     */
    @Test
    void shouldApplyASecondSnapshotOfTheConnectorOverWhatItStreamedBefore(TestInfra infra, @TempDir Path dir)
            throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        try (Connection connection = db.connect()) {
            Shop.create(connection, 500);
        }
        String debeziumPrefix = infra.uniqueName("dbzagain");
        String prefix = infra.uniqueName("dbzagainwarm");
        String tables = "public.customers,public.orders";
        List<String> topics = List.of(debeziumPrefix + ".public.customers", debeziumPrefix + ".public.orders");
        KafkaClients kafka = KafkaClients.plaintext(infra.kafkaBootstrapServers());
        Path file = shopWithoutDatabase(infra, dir, debeziumPrefix, prefix);
        String firstSlot = debeziumPrefix.replace('-', '_') + "_slot";

        Connect<StandaloneHerder> connect = startConnect(infra, dir, "first.offsets");
        ShopWrites shop = new ShopWrites(db::connect, 80);
        WarmerProcess warmer = null;
        try {
            deployConnector(connect, infra, db, debeziumPrefix, tables, firstSlot);
            awaitTopics(kafka, topics.toArray(String[]::new));
            shop.start();
            warmer = WarmerProcess.start(file, dir, "first");
            WarmerProcess first = warmer;
            await().atMost(WAIT).until(() -> written(first) > 1_500 && shop.transactions() > 300);
            shop.stop();
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> exactNow(infra, db, prefix));

            connect.stop();
            connect.awaitStop();
            // The slot is lost (its walsender may take a moment to let go of it).
            await().atMost(WAIT).ignoreExceptions()
                    .untilAsserted(() -> db.execute("SELECT pg_drop_replication_slot('" + firstSlot + "')"));
            db.execute(// Changed while nothing streams: only the second snapshot brings these.
                    "UPDATE customers SET balance = balance + 7, tier = 'gap' WHERE id % 3 = 0",
                    "UPDATE orders SET status = 'gap', total = total + 1 WHERE id % 4 = 0",
                    "INSERT INTO customers (name, email, balance, tier) SELECT 'gap ' || i, 'g' || i || '@example.com',"
                            + " i, 'free' FROM generate_series(1, 50) i",
                    // No event says these are gone: only the second snapshot not reading them again does.
                    "DELETE FROM orders WHERE id % 11 = 0",
                    "DELETE FROM customers WHERE id % 17 = 0");
            long before = endOffsets(kafka, topics);

            connect = startConnect(infra, dir, "second.offsets");
            deployConnector(connect, infra, db, debeziumPrefix, tables, debeziumPrefix.replace('-', '_') + "_again");
            shop.start();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> endOffsets(kafka, topics) > before + 200);
            warmer.kill(); // SIGKILL while the second snapshot comes in, under live writes
            await().atMost(WAIT).until(() -> endOffsets(kafka, topics) > before + 1_500);
            warmer = WarmerProcess.start(file, dir, "second");
            long restartedAt = shop.transactions();
            await().atMost(WAIT).until(() -> shop.transactions() > restartedAt + 300);
            shop.stop();

            warmer.awaitReady(WAIT);
            RedisClient client = RedisClient.create(infra.redisUri());
            try (var connection = client.connect(); var database = db.connect()) {
                await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                    CacheAudit.Result audit = CacheAudit.run(database, connection.sync(), Shop.expectation(prefix));
                    assertThat(audit.exact()).as("the database against Redis after the second snapshot: %s", audit)
                            .isTrue();
                });
            } finally {
                client.shutdown();
            }
            assertThat(warmer.output()).doesNotContain("Exception");
        } finally {
            shop.close();
            if (warmer != null) {
                warmer.close();
            }
            connect.stop();
            connect.awaitStop();
        }
    }

    /** Warmer's configuration of the shop's families over the connector's topics, with no database. */
    private static Path shopWithoutDatabase(TestInfra infra, Path dir, String debeziumPrefix, String prefix)
            throws java.io.IOException {
        return Files.writeString(dir.resolve("warmer.yml"), """
                source:
                  debezium-topics: {topic-prefix: %s}
                kafka: {bootstrap-servers: "%s", topic-prefix: %s, partitions: 2, application-id: %s}
                redis: {uri: "%s"}
                http: {port: 0, check-interval: 1s, ready: {min-coverage: 1.0, max-lag: 0, sample: 200}}
                families:
                %s""".formatted(debeziumPrefix, infra.kafkaBootstrapServers(), prefix, prefix + "-app",
                infra.redisUri(), Shop.families(prefix)));
    }

    private static boolean exactNow(TestInfra infra, TestDatabase db, String prefix) throws Exception {
        RedisClient client = RedisClient.create(infra.redisUri());
        try (var connection = client.connect(); var database = db.connect()) {
            return CacheAudit.run(database, connection.sync(), Shop.expectation(prefix)).exact();
        } finally {
            client.shutdown();
        }
    }

    /** The records on {@code topics}, all partitions together. */
    private static long endOffsets(KafkaClients kafka, List<String> topics) throws Exception {
        try (var admin = kafka.admin(Map.of())) {
            return io.warmer.capture.ChangeTopicProvisioner.endOffsets(admin, topics).values().stream()
                    .mapToLong(Long::longValue).sum();
        }
    }

    /** Values the process has written to Redis, by its status page; 0 while it does not answer. */
    private static long written(WarmerProcess warmer) {
        long written = 0;
        for (var family : warmer.json("api/status").path("families")) {
            written += family.path("written").asLong();
        }
        return written;
    }

    /** Updates (prices, JSON, moved makers, TOASTed notes left alone), inserts and deletes, one at a time. */
    private static void write(TestDatabase db, AtomicBoolean writing, AtomicLong writes) {
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(true);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            try (PreparedStatement price = connection.prepareStatement(
                         "UPDATE products SET price = price + 0.01, attributes = attributes || jsonb_build_object('n', ?)"
                                 + " WHERE id = ?");
                 PreparedStatement move = connection.prepareStatement("UPDATE products SET maker_id = ? WHERE id = ?");
                 PreparedStatement insert = connection.prepareStatement(
                         "INSERT INTO products (maker_id, name, price, listed) VALUES (?, 'new', 9.99, now())");
                 PreparedStatement delete = connection.prepareStatement("DELETE FROM products WHERE id = ?");
                 PreparedStatement rename = connection.prepareStatement("UPDATE makers SET name = ? WHERE id = ?")) {
                while (writing.get()) {
                    int id = 1 + random.nextInt(500);
                    switch (random.nextInt(5)) {
                        case 0 -> {
                            move.setInt(1, 1 + random.nextInt(10));
                            move.setInt(2, id);
                            move.executeUpdate();
                        }
                        case 1 -> {
                            insert.setInt(1, 1 + random.nextInt(10));
                            insert.executeUpdate();
                        }
                        case 2 -> {
                            delete.setInt(1, id);
                            delete.executeUpdate();
                        }
                        case 3 -> {
                            rename.setString(1, "maker " + random.nextInt(1000));
                            rename.setInt(2, 1 + random.nextInt(10));
                            rename.executeUpdate();
                        }
                        default -> {
                            price.setInt(1, random.nextInt(1000));
                            price.setInt(2, id);
                            price.executeUpdate();
                        }
                    }
                    writes.incrementAndGet();
                    Thread.sleep(20);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("the writes failed: " + e.getMessage(), e);
        }
    }

    private static Connect<StandaloneHerder> startConnect(TestInfra infra, Path dir) {
        return startConnect(infra, dir, "connect.offsets");
    }

    private static Connect<StandaloneHerder> startConnect(TestInfra infra, Path dir, String offsets) {
        Map<String, String> worker = new HashMap<>();
        worker.put("bootstrap.servers", infra.kafkaBootstrapServers());
        worker.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("key.converter.schemas.enable", "true");
        worker.put("value.converter.schemas.enable", "true");
        worker.put("offset.storage.file.filename", dir.resolve(offsets).toString());
        worker.put("offset.flush.interval.ms", "1000");
        worker.put("listeners", "http://127.0.0.1:0");
        return new ConnectStandalone().startConnect(worker);
    }

    private static void deployConnector(Connect<StandaloneHerder> connect, TestInfra infra, TestDatabase db,
                                        String topicPrefix, String tables) throws Exception {
        deployConnector(connect, infra, db, topicPrefix, tables, topicPrefix.replace('-', '_') + "_slot");
    }

    private static void deployConnector(Connect<StandaloneHerder> connect, TestInfra infra, TestDatabase db,
                                        String topicPrefix, String tables, String slot) throws Exception {
        Map<String, String> connector = new HashMap<>();
        String name = "warmer-it-" + topicPrefix;
        connector.put("name", name);
        connector.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        connector.put("tasks.max", "1");
        connector.put("database.hostname", infra.postgres().host());
        connector.put("database.port", String.valueOf(infra.postgres().port()));
        connector.put("database.user", infra.postgres().user());
        connector.put("database.password", infra.postgres().password());
        connector.put("database.dbname", db.name());
        connector.put("topic.prefix", topicPrefix);
        connector.put("plugin.name", "pgoutput");
        connector.put("slot.name", slot);
        connector.put("publication.name", topicPrefix.replace('-', '_') + "_pub");
        connector.put("publication.autocreate.mode", "filtered");
        connector.put("table.include.list", tables);
        // The test broker creates no topic by itself.
        connector.put("topic.creation.default.replication.factor", "1");
        connector.put("topic.creation.default.partitions", "3");
        connector.put("topic.creation.default.cleanup.policy", "compact");
        FutureCallback<org.apache.kafka.connect.runtime.Herder.Created<
                org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo>> created = new FutureCallback<>();
        connect.herder().putConnectorConfig(name, connector, false, created);
        created.get(60, TimeUnit.SECONDS);
    }

    private static void awaitTopics(KafkaClients kafka, String... topics) {
        await().atMost(WAIT).until(() -> {
            try (var admin = kafka.admin(Map.of())) {
                return admin.listTopics().names().get(10, TimeUnit.SECONDS).containsAll(List.of(topics));
            }
        });
    }
}
