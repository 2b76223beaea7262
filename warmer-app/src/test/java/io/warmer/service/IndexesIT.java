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
 * examples/indexes.yml on real servers: sets of ids per group and sorted sets per parent (one capped: each customer's
 * two newest orders, the third waiting beside them) stay exact while the shop writes (customers that change tier or go, orders that change status, move to a new primary key or are deleted with
 * their customer), across SIGKILLs during the snapshot and while streaming. Every member is compared with what PostgreSQL says, and
 * {@code verify --full} finds no drift either.
 */
@ExtendWith(WarmerInfrastructure.class)
class IndexesIT {

    private static final int CUSTOMERS = 2_000;
    private static final Path EXAMPLE = Path.of("..", "examples", "indexes.yml");

    private static CacheAudit.Expectation expectation(String prefix) {
        return new CacheAudit.Expectation(List.of(), List.of(), List.of(
                new CacheAudit.Members(prefix + ":v2:tier:", "SELECT '" + prefix + ":v2:tier:' || tier || ':customers',"
                        + " id::text FROM customers WHERE tier IS NOT NULL", false),
                new CacheAudit.Members(prefix + ":v2:customer:", "SELECT '" + prefix + ":v2:customer:' || customer_id"
                        + " || ':orders-by-time', id::text, floor(extract(epoch FROM placed_at) * 1000)::float8"
                        + " FROM orders", true),
                new CacheAudit.Members(prefix + ":v2:latest-orders:", "SELECT '" + prefix + ":v2:latest-orders:'"
                        + " || customer_id, id::text, floor(extract(epoch FROM placed_at) * 1000)::float8 FROM orders",
                        true, 2),
                new CacheAudit.Members(prefix + ":v2:status:", "SELECT '" + prefix + ":v2:status:' || status"
                        + " || ':orders', 'order-' || id FROM orders", false)));
    }

    @Test
    void shouldKeepSetsAndSortedSetsExactThroughLiveWritesAndASigkill(TestInfra infra, @TempDir Path dir)
            throws Exception {
        String prefix = infra.uniqueName("index");
        String families = ExampleUnderLoad.families(EXAMPLE, prefix);
        ExampleUnderLoad.run(infra, dir, CUSTOMERS, families, prefix + ":v2:status:*", expectation(prefix),
                IndexesIT::moveRows, (redis, db, yaml) -> {
                    WarmerConfig config = TestConfigs.parse(yaml);
                    assertThat(FullVerify.assertNoDrift(config, db).drifted()).isFalse();
                    FullVerify.assertEstimateFindsEveryEntry(config);
                    assertThat(redis.exists(prefix + ":v2:tier:free:customers")).as("a set per tier").isOne();
                });
    }

    /**
     * Customers in and out of tiers (and of every set, with no tier), orders from status to status, to now or back in
     * time, and to other customers.
     */
    private static void moveRows(Connection c) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Statement st = c.createStatement()) {
            switch (random.nextInt(5)) {
                case 0 -> st.executeUpdate("UPDATE customers SET tier = " + List.of("'free'", "'pro'", "'team'", "NULL")
                        .get(random.nextInt(4)) + " WHERE id = " + (1 + random.nextLong(CUSTOMERS)));
                case 1 -> st.executeUpdate("UPDATE orders SET status = '" + List.of("open", "paid", "shipped")
                        .get(random.nextInt(3)) + "' WHERE id = (SELECT max(id) - " + random.nextInt(50) + " FROM orders)");
                case 2 -> st.executeUpdate("UPDATE orders SET placed_at = now() WHERE id = "
                        + (1 + random.nextLong(3L * CUSTOMERS)));
                // Back in time: one of a customer's newest orders falls below the one waiting beyond the cap.
                case 3 -> st.executeUpdate("UPDATE orders SET placed_at = placed_at - interval '1 hour' * "
                        + (1 + random.nextInt(48)) + " WHERE id = " + (1 + random.nextLong(3L * CUSTOMERS)));
                default -> st.executeUpdate("UPDATE orders SET customer_id = coalesce((SELECT min(id) FROM customers"
                        + " WHERE id >= " + (1 + random.nextLong(CUSTOMERS)) + "), customer_id) WHERE id = "
                        + (1 + random.nextLong(3L * CUSTOMERS)));
            }
        }
    }
}
