package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.config.WarmerConfig;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import io.warmer.testkit.CacheAudit;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keys that move: an UPDATE of the primary key, a key column swapped between two rows in one transaction, and one
 * row deleted and inserted again many times over, in one transaction and across transactions (so across the
 * materializer's batches). Afterwards Redis holds exactly the database's rows, checked by an independent audit.
 */
@ExtendWith(WarmerInfrastructure.class)
class MovingKeysIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int ROWS = 200;

    @Test
    void shouldLeaveExactlyTheDatabasesRowsWhenKeysMove(TestInfra infra) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE items (id serial PRIMARY KEY, code integer NOT NULL, qty integer NOT NULL,"
                        + " price numeric(8,2) NOT NULL, note text)",
                "INSERT INTO items (code, qty, price, note) SELECT 1000 + i, i, i * 0.5, 'item ' || i"
                        + " FROM generate_series(1, " + ROWS + ") i");
        String prefix = infra.uniqueName("moving");
        WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db, """
                  - {name: item, table: items, key: "%1$s:i:${id}"}
                  - {name: by-code, table: items, key: "%1$s:code:${code}", columns: [id, qty]}
                """.formatted(prefix)));
        RedisClient client = RedisClient.create(infra.redisUri());
        try (var connection = client.connect(); WarmerService warmer = WarmerService.start(config)) {
            RedisCommands<String, String> redis = connection.sync();
            await().atMost(WAIT).until(() -> redis.keys(prefix + ":code:*").size() == ROWS
                    && redis.keys(prefix + ":i:*").size() == ROWS);

            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE items SET id = 100000 WHERE id = 1");
                st.executeUpdate("UPDATE items SET id = 100001, code = 5000 WHERE id = 2");
                c.setAutoCommit(false);
                // Two rows trade their key column in one transaction.
                st.executeUpdate("UPDATE items SET code = -1 WHERE id = 5");
                st.executeUpdate("UPDATE items SET code = 1005 WHERE id = 6");
                st.executeUpdate("UPDATE items SET code = 1006 WHERE id = 5");
                c.commit();
                for (int round = 0; round < 150; round++) {
                    // Deleted and inserted again in one transaction ...
                    st.executeUpdate("DELETE FROM items WHERE id = 10");
                    st.executeUpdate("INSERT INTO items (id, code, qty, price, note) VALUES (10, 1010, " + round
                            + ", 1.25, 'again " + round + "')");
                    c.commit();
                    // ... and across transactions, the last of them a delete every other round.
                    st.executeUpdate("DELETE FROM items WHERE id = 11");
                    c.commit();
                    if (round % 2 == 0 || round == 149) {
                        st.executeUpdate("INSERT INTO items (id, code, qty, price, note) VALUES (11, " + (2000 + round)
                                + ", " + round + ", 2.50, NULL)");
                        c.commit();
                    }
                    st.executeUpdate("UPDATE items SET qty = qty + 1 WHERE id = 12");
                    st.executeUpdate("DELETE FROM items WHERE id = 12");
                    st.executeUpdate("INSERT INTO items (id, code, qty, price) VALUES (12, 1012, " + round + ", 3)");
                    st.executeUpdate("UPDATE items SET qty = qty + 1 WHERE id = 12");
                    c.commit();
                }
                st.executeUpdate("DELETE FROM items WHERE id = 13");
                st.executeUpdate("INSERT INTO items (id, code, qty, price) VALUES (13, 7013, 1, 1)");
                st.executeUpdate("DELETE FROM items WHERE id = 13");
                c.commit();
            }

            CacheAudit.Expectation expectation = new CacheAudit.Expectation(List.of(
                    new CacheAudit.Query("items", "SELECT id, to_jsonb(i)::text FROM items i",
                            List.of(prefix + ":i:%d")),
                    new CacheAudit.Query("codes", "SELECT code, json_build_object('id', id, 'qty', qty)::text FROM items",
                            List.of(prefix + ":code:%d"))),
                    List.of(new CacheAudit.KeySpace(prefix + ":i:", "items"),
                            new CacheAudit.KeySpace(prefix + ":code:", "codes")));
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                try (Connection c = db.connect()) {
                    CacheAudit.Result audit = CacheAudit.run(c, redis, expectation);
                    assertThat(audit.exact()).as("the database against Redis: %s", audit).isTrue();
                }
            });
            assertThat(redis.exists(prefix + ":i:1", prefix + ":i:2", prefix + ":i:13")).as("keys moved away").isZero();
            assertThat(redis.get(prefix + ":i:100001")).contains("\"code\":5000");
            assertThat(redis.get(prefix + ":code:1005")).isEqualTo("{\"id\":6,\"qty\":6}");
            assertThat(redis.get(prefix + ":code:1006")).isEqualTo("{\"id\":5,\"qty\":5}");
            assertThat(redis.get(prefix + ":i:10")).contains("\"note\":\"again 149\"");
            assertThat(redis.exists(prefix + ":code:1002", prefix + ":code:-1")).isZero();
        } finally {
            client.shutdown();
        }
    }
}
