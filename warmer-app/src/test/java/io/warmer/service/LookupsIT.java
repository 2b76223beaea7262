package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.WarmerConfig;
import io.warmer.testing.ExampleUnderLoad;
import io.warmer.testing.FullVerify;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import io.warmer.testkit.CacheAudit;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/lookups.yml on real servers: every order with the customer its foreign key points at, under its own field
 * and flattened, stays exact while both sides change (the shop renames customers and changes their tier, inserts,
 * re-keys and deletes orders, deletes customers with their orders; the test moves orders to other customers), across
 * SIGKILLs during the snapshot and while streaming. What each key must hold is PostgreSQL's own join; verify --full agrees.
 */
@ExtendWith(WarmerInfrastructure.class)
class LookupsIT {

    private static final int CUSTOMERS = 1_500;
    private static final Path EXAMPLE = Path.of("..", "examples", "lookups.yml");

    private static CacheAudit.Expectation expectation(String prefix) {
        return new CacheAudit.Expectation(List.of(
                new CacheAudit.Query("orders", "SELECT o.id, json_build_object('id', o.id, 'total', o.total, 'status',"
                        + " o.status, 'customer', (SELECT json_build_object('name', c.name, 'tier', c.tier) FROM"
                        + " customers c WHERE c.id = o.customer_id))::text FROM orders o",
                        List.of(prefix + ":v2:order:%d:with-customer")),
                new CacheAudit.Query("orders", "SELECT o.id, json_build_object('id', o.id, 'total', o.total, 'name',"
                        + " c.name, 'tier', c.tier)::text FROM orders o LEFT JOIN customers c ON c.id = o.customer_id",
                        List.of(prefix + ":v2:order:%d:flat"))),
                List.of(new CacheAudit.KeySpace(prefix + ":v2:order:", "orders")));
    }

    @Test
    void shouldKeepEveryOrderWithTheCustomerItPointsAtWhileBothSidesChangeAndThroughASigkill(TestInfra infra,
                                                                                             @TempDir Path dir)
            throws Exception {
        String prefix = infra.uniqueName("lookups");
        ExampleUnderLoad.run(infra, dir, CUSTOMERS, ExampleUnderLoad.families(EXAMPLE, prefix), prefix + ":v2:order:*",
                expectation(prefix), LookupsIT::moveRows, (redis, db, yaml) -> {
                    WarmerConfig config = TestConfigs.parse(yaml);
                    assertThat(FullVerify.assertNoDrift(config, db).drifted()).isFalse();
                    FullVerify.assertEstimateFindsEveryEntry(config);
                });
    }

    /** Both sides of the lookup: an order moved to another customer, and a customer's looked-up columns changed. */
    private static void moveRows(Connection c) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Statement st = c.createStatement()) {
            if (random.nextBoolean()) {
                st.executeUpdate("UPDATE orders SET customer_id = t.id FROM (SELECT id FROM customers WHERE id >= "
                        + (1 + random.nextInt(CUSTOMERS)) + " ORDER BY id LIMIT 1) t WHERE orders.id = "
                        + (1 + random.nextInt(3 * CUSTOMERS)));
            } else {
                st.executeUpdate("UPDATE customers SET tier = '" + (random.nextBoolean() ? "pro" : "free")
                        + "', name = 'renamed " + random.nextInt(1000) + "' WHERE id = " + (1 + random.nextInt(CUSTOMERS)));
            }
        }
    }
}
