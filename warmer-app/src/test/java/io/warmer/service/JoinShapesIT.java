package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.WarmerConfig;
import io.warmer.testing.Cli;
import io.warmer.testing.ExampleUnderLoad;
import io.warmer.testing.FullVerify;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import io.warmer.testkit.CacheAudit;
import io.warmer.testkit.Shop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/join-shapes.yml on real servers: a flattened one-to-one join and a value that is a one-to-many join's rows
 * alone stay exact while both sides of each join change (points rows that come, change and go; orders the shop
 * inserts, updates, moves to new primary keys and deletes with their customer), across SIGKILLs during the
 * snapshot and while streaming. What each key must hold is PostgreSQL's own LEFT JOIN and json_agg; verify --full agrees.
 */
@ExtendWith(WarmerInfrastructure.class)
class JoinShapesIT {

    private static final int CUSTOMERS = 2_000;
    private static final Path EXAMPLE = Path.of("..", "examples", "join-shapes.yml");
    private static final List<String> POINTS = List.of(
            "CREATE TABLE customer_points (customer_id int PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,"
                    + " points int NOT NULL, level text)",
            "INSERT INTO customer_points SELECT id, id % 500, CASE WHEN id % 7 = 0 THEN NULL ELSE 'level ' || (id % 3)"
                    + " END FROM customers WHERE id % 3 <> 0");

    private static CacheAudit.Expectation expectation(String prefix) {
        return new CacheAudit.Expectation(List.of(
                new CacheAudit.Query("customers", "SELECT c.id, json_build_object('id', c.id, 'name', c.name, 'tier',"
                        + " c.tier, 'points', p.points, 'level', p.level)::text FROM customers c"
                        + " LEFT JOIN customer_points p ON p.customer_id = c.id", List.of(prefix + ":v2:customer:%d:summary")),
                new CacheAudit.Query("customers", "SELECT c.id, COALESCE((SELECT json_agg(json_build_object('id', o.id,"
                        + " 'total', o.total, 'status', o.status) ORDER BY o.id) FROM orders o WHERE o.customer_id = c.id),"
                        + " '[]'::json)::text FROM customers c", List.of(prefix + ":v2:customer:%d:order-list"))),
                List.of(new CacheAudit.KeySpace(prefix + ":v2:customer:", "customers")));
    }

    @Test
    void shouldKeepFlattenedAndArrayValuesExactWhileBothSidesChangeAndThroughASigkill(TestInfra infra,
                                                                                     @TempDir Path dir) throws Exception {
        String prefix = infra.uniqueName("shapes");
        String families = ExampleUnderLoad.families(EXAMPLE, prefix);
        ExampleUnderLoad.run(infra, dir, CUSTOMERS, POINTS, families, prefix + ":v2:customer:*", expectation(prefix),
                JoinShapesIT::moveRows, (redis, db, yaml) -> {
                    WarmerConfig config = TestConfigs.parse(yaml);
                    assertThat(FullVerify.assertNoDrift(config, db).drifted()).isFalse();
                    FullVerify.assertEstimateFindsEveryEntry(config);
                });
    }

    /** The points side of the flattened join: rows that come, change and go. */
    private static void moveRows(Connection c) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long id = 1 + random.nextLong(CUSTOMERS);
        try (Statement st = c.createStatement()) {
            switch (random.nextInt(3)) {
                case 0 -> st.executeUpdate("INSERT INTO customer_points SELECT id, " + random.nextInt(1000) + ", 'new'"
                        + " FROM customers WHERE id = " + id + " ON CONFLICT (customer_id) DO UPDATE SET points ="
                        + " EXCLUDED.points, level = EXCLUDED.level");
                case 1 -> st.executeUpdate("UPDATE customer_points SET points = points + 1, level = NULL"
                        + " WHERE customer_id = " + id);
                default -> st.executeUpdate("DELETE FROM customer_points WHERE customer_id = " + id);
            }
        }
    }

    @Test
    void shouldRefuseAFlattenedColumnTheMainRowHasToo(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        try (var connection = db.connect()) {
            Shop.create(connection, 10);
        }
        db.execute(POINTS.toArray(String[]::new));
        db.execute("ALTER TABLE customer_points ADD COLUMN tier text"); // the points' own tier, say
        String families = ExampleUnderLoad.families(EXAMPLE, "shop").replace("    columns: [id, name, tier]\n", "");
        Path config = Files.writeString(dir.resolve("check.yml"), TestConfigs.yaml(infra, db,
                families.replace("columns: [points, level]", "columns: [points, tier]")));

        Cli.Result result = Cli.run("config", "check", "--config", config.toString(), "--connect");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("families[0].join[0].columns: 'tier' is a column of public.customers too");
    }
}
