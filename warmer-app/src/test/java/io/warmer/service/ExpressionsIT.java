package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.testing.Cli;
import io.warmer.testing.ExampleUnderLoad;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import io.warmer.testkit.CacheAudit;
import io.warmer.testkit.Shop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/expressions.yml on real servers: computed keys, fields, conditions and TTLs stay exact while the shop
 * writes (emails that change or go NULL, customers that move in and out of the condition), across SIGKILLs during
 * the snapshot and while streaming. What each key must hold is computed by PostgreSQL itself (lower, to_char, CASE), none of Warmer's code.
 */
@ExtendWith(WarmerInfrastructure.class)
class ExpressionsIT {

    private static final int CUSTOMERS = 3_000;
    private static final Path EXAMPLE = Path.of("..", "examples", "expressions.yml");

    /** The example's families, under the test's own key prefix. */
    private static String families(String prefix) throws Exception {
        return ExampleUnderLoad.families(EXAMPLE, prefix);
    }

    private static CacheAudit.Expectation expectation(String prefix) {
        return new CacheAudit.Expectation(List.of(
                new CacheAudit.Query("cards", "SELECT id, (jsonb_build_object('id', id, 'label', name || ' <'"
                        + " || COALESCE(lower(email), 'no email') || '>', 'balance', balance, 'lang',"
                        + " COALESCE(prefs->>'lang', 'en'), 'month', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM'))"
                        + " || CASE WHEN balance > 900 THEN '{\"vip\": true}'::jsonb ELSE '{}'::jsonb END)::text"
                        + " FROM customers WHERE tier IS DISTINCT FROM 'free'", List.of(prefix + ":v2:card:%d")),
                CacheAudit.Query.keyed("emails", "SELECT id, id::text, '" + prefix + ":v2:email:' || lower(email)"
                        + " FROM customers WHERE email IS NOT NULL")),
                List.of(new CacheAudit.KeySpace(prefix + ":v2:card:", "cards"),
                        CacheAudit.KeySpace.ofKeys(prefix + ":v2:email:")));
    }

    @Test
    void shouldKeepComputedKeysAndValuesExactThroughLiveWritesAndASigkill(TestInfra infra, @TempDir Path dir)
            throws Exception {
        String prefix = infra.uniqueName("expr");
        ExampleUnderLoad.run(infra, dir, CUSTOMERS, families(prefix), prefix + ":v2:card:*", expectation(prefix),
                ExpressionsIT::moveRows, (redis, db, yaml) -> {
                    try (Connection database = db.connect(); Statement st = database.createStatement();
                         ResultSet rs = st.executeQuery("SELECT id, tier FROM customers WHERE tier IN ('pro', 'team')"
                                 + " ORDER BY id LIMIT 200")) {
                        while (rs.next()) {
                            long ttl = redis.pttl(prefix + ":v2:card:" + rs.getLong(1));
                            if ("pro".equals(rs.getString(2))) {
                                assertThat(ttl).as("a pro customer's card lives a day").isBetween(3_600_001L, 86_400_000L);
                            } else {
                                assertThat(ttl).as("a team customer's card lives an hour").isBetween(1L, 3_600_000L);
                            }
                        }
                    }
                });
    }

    /** Emails that change (so their keys move) or change case only (so they stay), tiers in and out of the cards. */
    private static void moveRows(Connection c) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long id = 1 + random.nextLong(CUSTOMERS);
        try (Statement st = c.createStatement()) {
            switch (random.nextInt(3)) {
                case 0 -> st.executeUpdate("UPDATE customers SET email = 'Moved." + id + "." + random.nextInt(1_000_000)
                        + "@Example.COM', updated_at = now() WHERE id = " + id);
                case 1 -> st.executeUpdate("UPDATE customers SET email = upper(email) WHERE id = " + id);
                default -> st.executeUpdate("UPDATE customers SET tier = '" + List.of("free", "pro", "team")
                        .get(random.nextInt(3)) + "' WHERE id = " + id);
            }
        }
    }

    @Test
    void shouldTypeCheckTheExampleAgainstTheDatabase(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        try (var connection = db.connect()) {
            Shop.create(connection, 10);
        }
        var valid = check(infra, db, dir, families("shop"));
        assertThat(valid.exit()).as("exit code; errors: %s", valid.err()).isZero();
        assertThat(valid.out()).contains("valid; 2 families over 1 tables, checked against the database");

        var mistyped = check(infra, db, dir, families("shop").replace("label: \"name + ' <'", "label: \"balance + ' <'"));
        assertThat(mistyped.exit()).isEqualTo(2);
        assertThat(mistyped.err()).contains("families[0].fields.label: 'balance + ' <' + (email == null ? 'no email'"
                + " : lower(email)) + '>'' at column 9, found no matching overload for '_+_' applied to"
                + " '(wrapper(double), string)'");

        var unknown = check(infra, db, dir, families("shop").replace("${lower(email)}", "${lower(e_mail)}"));
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("Table public.customers has no column 'e_mail'")
                .contains("families[1] (customer-by-email) reads it");
    }

    private static Cli.Result check(TestInfra infra, TestDatabase db, Path dir, String families) throws Exception {
        Path config = Files.writeString(dir.resolve("check.yml"), TestConfigs.yaml(infra, db, families));
        return Cli.run("config", "check", "--config", config.toString(), "--connect");
    }
}
