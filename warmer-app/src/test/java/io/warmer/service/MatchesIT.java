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
 * examples/matches.yml on real servers: every customer with the preferences kept under its email stays exact while
 * both sides change (the shop renames customers, inserts customers without an email, clears emails and deletes
 * customers; the test gives customers other customers' emails, moves preferences to other emails, changes, inserts
 * and deletes them), across SIGKILLs during the snapshot and while streaming. What each key must hold is PostgreSQL's own join;
 * verify --full agrees.
 */
@ExtendWith(WarmerInfrastructure.class)
class MatchesIT {

    private static final int CUSTOMERS = 1_500;
    private static final Path EXAMPLE = Path.of("..", "examples", "matches.yml");
    private static final List<String> SETUP = List.of(
            "CREATE TABLE email_preferences (id serial PRIMARY KEY, email text NOT NULL, channel text NOT NULL,"
                    + " enabled boolean NOT NULL DEFAULT true)",
            "CREATE INDEX ON email_preferences (email)",
            // Two for every third customer's email, one for the others', and some for emails no customer has.
            "INSERT INTO email_preferences (email, channel, enabled) SELECT 'c' || i || '@example.com',"
                    + " (ARRAY['email','sms','push'])[1 + i % 3], i % 4 <> 0 FROM generate_series(1, " + CUSTOMERS
                    + " + 200) i",
            "INSERT INTO email_preferences (email, channel) SELECT 'c' || i || '@example.com', 'letter'"
                    + " FROM generate_series(3, " + CUSTOMERS + ", 3) i");

    private static CacheAudit.Expectation expectation(String prefix) {
        String matched = "FROM email_preferences p WHERE p.email = c.email";
        return new CacheAudit.Expectation(List.of(
                new CacheAudit.Query("customers", "SELECT c.id, json_build_object('id', c.id, 'name', c.name,"
                        + " 'preferences', COALESCE((SELECT json_agg(json_build_object('id', p.id, 'channel', p.channel,"
                        + " 'enabled', p.enabled) ORDER BY p.id) " + matched + "), '[]'::json))::text FROM customers c",
                        List.of(prefix + ":v2:customer:%d:preferences")),
                new CacheAudit.Query("customers", "SELECT c.id, COALESCE((SELECT json_agg(json_build_object('channel',"
                        + " p.channel) ORDER BY p.id) " + matched + "), '[]'::json)::text FROM customers c",
                        List.of(prefix + ":v2:customer:%d:channels"))),
                List.of(new CacheAudit.KeySpace(prefix + ":v2:customer:", "customers")));
    }

    @Test
    void shouldKeepEveryCustomerWithThePreferencesOfItsEmailWhileBothSidesChangeAndThroughASigkill(TestInfra infra,
                                                                                                  @TempDir Path dir)
            throws Exception {
        String prefix = infra.uniqueName("matches");
        ExampleUnderLoad.run(infra, dir, CUSTOMERS, SETUP, ExampleUnderLoad.families(EXAMPLE, prefix),
                prefix + ":v2:customer:*", expectation(prefix), MatchesIT::moveRows, (redis, db, yaml) -> {
                    WarmerConfig config = TestConfigs.parse(yaml);
                    assertThat(FullVerify.assertNoDrift(config, db).drifted()).isFalse();
                    FullVerify.assertEstimateFindsEveryEntry(config);
                });
    }

    /** Both sides of the match: customers take other emails; preferences move, change, come and go. */
    private static void moveRows(Connection c) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String email = "'c" + (1 + random.nextInt(CUSTOMERS + 200)) + "@example.com'";
        int preference = 1 + random.nextInt(2 * CUSTOMERS);
        try (Statement st = c.createStatement()) {
            switch (random.nextInt(5)) {
                case 0 -> st.executeUpdate("UPDATE customers SET email = " + email + " WHERE id = "
                        + (1 + random.nextInt(CUSTOMERS)));
                case 1 -> st.executeUpdate("UPDATE email_preferences SET email = " + email + " WHERE id = "
                        + preference);
                case 2 -> st.executeUpdate("UPDATE email_preferences SET enabled = NOT enabled, channel = '"
                        + (random.nextBoolean() ? "sms" : "email") + "' WHERE id = " + preference);
                case 3 -> st.executeUpdate("INSERT INTO email_preferences (email, channel) VALUES (" + email
                        + ", 'push')");
                default -> st.executeUpdate("DELETE FROM email_preferences WHERE id = " + preference);
            }
        }
    }
}
