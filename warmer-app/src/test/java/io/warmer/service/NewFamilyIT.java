package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.backfill.FamilyRegistry;
import io.warmer.backfill.Registration;
import io.warmer.capture.TopicReader;
import io.warmer.config.WarmerConfig;
import io.warmer.runtime.ServiceMonitoring;
import io.warmer.testing.Cli;
import io.warmer.testing.FullVerify;
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
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration changes between two runs of one deployment, under live writes. A family added on a table already
 * captured is filled by a materializer of its own from the compacted change topic, while the families there were
 * keep streaming and are not written again; a family on a table not captured before has the table added to the
 * publication and snapshotted; a removed family's keys go with {@code cleanup --family}. At the end every family
 * holds exactly what the database says ({@code verify --full}).
 */
@ExtendWith(WarmerInfrastructure.class)
class NewFamilyIT {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final int CUSTOMERS = 300;
    private static final int ORDERS = 900;

    private final HttpClient http = HttpClient.newHttpClient();
    private TestInfra infra;
    private TestDatabase db;
    private TestConfigs.Deployment deployment;
    private String prefix;
    private RedisClient client;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void createSchema(TestInfra infra) {
        this.infra = infra;
        db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, score numeric(10,2),"
                        + " joined timestamptz NOT NULL, prefs jsonb)",
                "CREATE TABLE orders (id serial PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers (id)"
                        + " ON DELETE CASCADE, total numeric(10,2) NOT NULL, placed timestamptz NOT NULL)",
                "INSERT INTO customers (name, score, joined, prefs) SELECT 'customer ' || i, i * 1.5,"
                        + " '2026-01-01 00:00+00'::timestamptz + i * interval '1 minute', jsonb_build_object('i', i)"
                        + " FROM generate_series(1, " + CUSTOMERS + ") i",
                "INSERT INTO orders (customer_id, total, placed) SELECT 1 + i % " + CUSTOMERS + ", i * 0.25,"
                        + " '2026-02-01 00:00+00'::timestamptz + i * interval '1 second' FROM generate_series(1, "
                        + ORDERS + ") i");
        deployment = TestConfigs.Deployment.unique(infra);
        prefix = infra.uniqueName("fam");
        client = RedisClient.create(infra.redisUri());
        redis = client.connect().sync();
    }

    @AfterEach
    void tearDown() {
        client.shutdown();
    }

    private WarmerConfig config(String families) {
        return TestConfigs.parse(yaml(families));
    }

    private String yaml(String families) {
        return TestConfigs.yaml(infra, db, deployment, "{uri: \"" + infra.redisUri() + "\"}",
                "{port: 0, check-interval: 300ms, ready: {min-coverage: 1.0, max-lag: 0, sample: 100}}",
                families.formatted(prefix));
    }

    private static final String CUSTOMER = "  - {name: customer, table: customers, key: \"%1$s:c:${id}\"}\n";
    private static final String NAME = "  - {name: name, table: customers, key: \"%1$s:n:${id}\", columns: [id, name]}\n";
    private static final String ORDER = "  - {name: order, table: orders, key: \"%1$s:o:${id}\"}\n";
    private static final String WITH_ORDERS = """
              - name: with-orders
                table: customers
                key: "%1$s:w:${id}"
                columns: [id, name]
                join: [{table: orders, on: {customer_id: id}, as: orders, many: true, columns: [id, total]}]
            """;

    @Test
    void shouldFillAddedFamiliesAloneAndCleanUpARemovedOne(@TempDir Path dir) throws Exception {
        WarmerConfig first = config(CUSTOMER);
        try (WarmerService warmer = WarmerService.start(first)) {
            await().atMost(WAIT).until(() -> count("c") == CUSTOMERS);
        }

        Writes writes = new Writes();
        Thread writer = new Thread(writes, "application-writes");
        WarmerConfig second = config(CUSTOMER + NAME + ORDER + WITH_ORDERS);
        try {
            writer.start();
            await().atMost(WAIT).until(() -> writes.customerChanges.get() > 20);
            try (WarmerService warmer = WarmerService.start(second);
                 ServiceMonitoring monitoring = ServiceMonitoring.start(second, warmer,
                         ServiceMonitoring.configuredTargets(second.http()))) {
                URI ready = monitoring.address().orElseThrow().resolve("ready");
                await().atMost(WAIT).until(() -> count("n") > CUSTOMERS / 2 && count("o") > ORDERS / 2);
                writes.stop();
                writer.join();
                await().atMost(WAIT).until(() -> get(ready).statusCode() == 200);

                var written = warmer.counters().byFamily();
                assertThat(written.get("customer").puts()).as("the family there was is not written again, only"
                        + " the rows that changed").isLessThanOrEqualTo(writes.customerChanges.get());
                assertThat(written.get("name").puts()).as("the added family is filled").isGreaterThanOrEqualTo(
                        CUSTOMERS);
                Map<String, Registration> registry = new FamilyRegistry(second).read();
                assertThat(registry.get("customer").application()).isEqualTo(second.kafka().applicationId());
                for (String added : List.of("name", "order", "with-orders")) {
                    assertThat(registry.get(added).application()).as(added)
                            .startsWith(second.kafka().applicationId() + ".family." + added + ".");
                }
                await().atMost(WAIT).until(() -> new FamilyRegistry(second).read().get("name").state()
                        == Registration.State.READY);
                assertThat(statesOf(second, "name")).as("the registry's record of family name")
                        .containsExactly("backfilling", "ready");
            }
            verifyFull(second);
        } finally {
            writes.stop();
            writer.join();
        }

        // The next start knows every family: nothing is backfilled again.
        try (WarmerService warmer = WarmerService.start(second)) {
            assertThat(warmer.materializers().backfilling()).isEmpty();
            assertThat(warmer.materializers().applications()).hasSize(4);
        }

        WarmerConfig third = config(CUSTOMER + ORDER + WITH_ORDERS);
        Path file = dir.resolve("warmer.yml");
        Files.writeString(file, yaml(CUSTOMER + ORDER + WITH_ORDERS));
        Cli.Result stillConfigured = Cli.run("cleanup", "--config", writeConfig(dir, CUSTOMER + NAME), "--family",
                "name");
        assertThat(stillConfigured.exit()).isEqualTo(2);
        assertThat(stillConfigured.err()).contains("--family: name is still in");

        long named = count("n");
        assertThat(named).isEqualTo(rows("customers"));
        Cli.Result cleanup = Cli.run("cleanup", "--config", file.toString(), "--family", "name");
        assertThat(cleanup.exit()).as(cleanup.err()).isZero();
        assertThat(cleanup.out()).contains(String.format("removed %,d keys of family name", named));
        assertThat(count("n")).isZero();
        assertThat(count("c")).as("the other families' keys stay").isEqualTo(rows("customers"));
        assertThat(new FamilyRegistry(third).read()).doesNotContainKey("name");
        Cli.Result again = Cli.run("cleanup", "--config", file.toString(), "--family", "name");
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("--family: name is not in the family registry");
        verifyFull(third);
    }

    /**
     * A column added while the service runs, then a family that reads it: the change topic still holds rows from
     * before the column (until compaction), which the family's materializer reads first. They are not a schema change
     * under it; the rows the capture snapshotted after the column was added fill it.
     */
    @Test
    void shouldFillAFamilyOnAColumnAddedAfterTheTopicsOlderRows() throws Exception {
        WarmerConfig first = config(CUSTOMER);
        try (WarmerService warmer = WarmerService.start(first)) {
            await().atMost(WAIT).until(() -> count("c") == CUSTOMERS);
            db.execute("ALTER TABLE customers ADD COLUMN nickname text NOT NULL DEFAULT 'none'",
                    "UPDATE customers SET nickname = 'the seventh' WHERE id = 7");
            await().atMost(WAIT).until(() -> keysOf("c").stream().allMatch(k -> redis.get(k).contains("\"nickname\":")));
        }

        String nick = "  - {name: nick, table: customers, key: \"%1$s:k:${id}\", columns: [id, nickname]}\n";
        WarmerConfig second = config(CUSTOMER + nick);
        try (WarmerService warmer = WarmerService.start(second)) {
            await().atMost(WAIT).until(() -> count("k") == CUSTOMERS && warmer.backfillRemaining().isEmpty());
            assertThat(redis.get(prefix + ":k:7")).isEqualTo("{\"id\":7,\"nickname\":\"the seventh\"}");
            assertThat(warmer.counters().brokenFamilies()).isEmpty();
            assertThat(warmer.counters().deadLetteredByFamily()).isEmpty();
        }
        verifyFull(second);
    }

    private List<String> keysOf(String kind) {
        return redis.keys(prefix + ":" + kind + ":*");
    }

    private String writeConfig(Path dir, String families) throws Exception {
        Path file = dir.resolve("other.yml");
        Files.writeString(file, yaml(families));
        return file.toString();
    }

    /** The application's writes: updates, inserts and deletes on both tables. */
    private final class Writes implements Runnable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong customerChanges = new AtomicLong();

        void stop() {
            running.set(false);
        }

        @Override
        public void run() {
            try (Connection c = db.connect(); var st = c.createStatement()) {
                while (running.get()) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    int id = 1 + random.nextInt(CUSTOMERS);
                    switch (random.nextInt(6)) {
                        case 0 -> st.executeUpdate("INSERT INTO orders (customer_id, total, placed) SELECT id, 9.99,"
                                + " now() FROM customers WHERE id = " + id);
                        case 1 -> st.executeUpdate("DELETE FROM orders WHERE id = (SELECT min(id) FROM orders WHERE"
                                + " customer_id = " + id + ")");
                        case 2 -> st.executeUpdate("UPDATE orders SET total = total + 1 WHERE customer_id = " + id);
                        case 3 -> customerChanges.addAndGet(st.executeUpdate("INSERT INTO customers (name, joined)"
                                + " VALUES ('new " + id + "', now())"));
                        default -> customerChanges.addAndGet(st.executeUpdate("UPDATE customers SET name = name || '.',"
                                + " score = score + 1 WHERE id = " + id));
                    }
                    Thread.sleep(10);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private List<String> statesOf(WarmerConfig config, String family) {
        List<String> states = new ArrayList<>();
        TopicReader.readAll(config.kafka().clients(), FamilyRegistry.topicOf(config), record -> {
            if (family.equals(record.key()) && record.value() != null) {
                String state = record.value().replaceAll(".*\"state\":\"([a-z]+)\".*", "$1");
                if (states.isEmpty() || !states.get(states.size() - 1).equals(state)) {
                    states.add(state);
                }
            }
        });
        return states;
    }

    private long count(String kind) {
        return redis.keys(prefix + ":" + kind + ":*").size();
    }

    private long rows(String table) throws Exception {
        try (Connection c = db.connect(); var rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void verifyFull(WarmerConfig config) throws Exception {
        FullVerify.assertNoDrift(config, db);
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
