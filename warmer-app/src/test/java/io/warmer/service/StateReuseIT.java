package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.warmer.config.WarmerConfig;
import io.warmer.testing.FullVerify;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A clean restart reads the join stores back from {@code kafka.state-dir} instead of restoring them from the changelog
 * topics, and what it then writes is still exactly what the database says, changes made while it was stopped
 * included.
 */
@ExtendWith(WarmerInfrastructure.class)
class StateReuseIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger serviceLogger = (Logger) LoggerFactory.getLogger(WarmerService.class);

    @BeforeEach
    void listen() {
        log.start();
        serviceLogger.addAppender(log);
        serviceLogger.setLevel(Level.INFO);
    }

    @AfterEach
    void stopListening() {
        serviceLogger.detachAppender(log);
        serviceLogger.setLevel(null);
    }

    @Test
    void shouldReadTheStoresBackAfterACleanStopAndStayExact(TestInfra infra, @org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers(id),"
                        + " total numeric(10,2) NOT NULL, placed timestamptz NOT NULL DEFAULT now(), note jsonb)",
                "INSERT INTO customers (name) SELECT 'customer ' || i FROM generate_series(1, 300) i",
                "INSERT INTO orders (customer_id, total, note) SELECT 1 + i % 300, i * 1.25, '{\"gift\": false}'"
                        + " FROM generate_series(1, 1500) i");
        String p = infra.uniqueName("reuse");
        Path stateDir = dir.resolve("streams");
        WarmerConfig config = TestConfigs.parse(TestConfigs.withKafka(TestConfigs.yaml(infra, db, """
                  - name: customer-orders
                    table: customers
                    key: "%s:customer:${id}:orders"
                    columns: [id, name]
                    join:
                      - {table: orders, on: {customer_id: id}, as: orders, columns: [id, total, placed, note], many: true}
                """.formatted(p)), "state-dir: \"" + stateDir + "\""));
        String application = config.kafka().applicationId();

        try (WarmerService warmer = WarmerService.start(config)) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(FullVerify.assertNoDrift(config, db).drifted()).isFalse());
        }
        Path slot = stateDir.resolve("slot-0");
        assertThat(slot.resolve(StateDirectory.CLEAN)).as("marked as stopped cleanly").exists();
        assertThat(slot.resolve(application + ".changelogs")).content().startsWith("cluster ").contains("-changelog");
        assertThat(storeFiles(slot.resolve(application))).as("RocksDB files of the join stores").isPositive();
        assertThat(kept()).isZero();

        db.execute("UPDATE customers SET name = name || ' renamed' WHERE id % 7 = 0",
                "UPDATE orders SET customer_id = 1 + (customer_id + 1) % 300 WHERE id % 11 = 0",
                "DELETE FROM orders WHERE id % 13 = 0",
                "INSERT INTO orders (customer_id, total) SELECT 1 + i % 300, 4.50 FROM generate_series(1, 200) i");

        try (WarmerService warmer = WarmerService.start(config)) {
            assertThat(kept()).as("stores_kept events at the restart").isEqualTo(1);
            await().atMost(WAIT).untilAsserted(() -> assertThat(FullVerify.assertNoDrift(config, db).drifted()).isFalse());
            assertThat(warmer.state()).isIn(ServiceState.STREAMING, ServiceState.SNAPSHOTTING);
        }
    }

    private long kept() {
        return log.list.stream().filter(e -> e.getKeyValuePairs() != null && e.getKeyValuePairs().stream()
                .anyMatch(kv -> kv.key.equals("event") && "stores_kept".equals(kv.value))).count();
    }

    private static long storeFiles(Path applicationDir) throws Exception {
        if (!Files.exists(applicationDir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(applicationDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".sst")
                    || f.getFileName().toString().startsWith("MANIFEST")).count();
        }
    }
}
