package io.warmer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.warmer.config.WarmerConfig;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keys made of columns outside the primary key, filters and several keys per row, on real servers
 * and a table with the default REPLICA IDENTITY (deletes carry only the primary key).
 */
@ExtendWith(WarmerInfrastructure.class)
class KeyFamiliesIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void shouldFollowKeyChangesFiltersAndDeletesOfEveryKeyOfARow(TestInfra infra) {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, status text NOT NULL)",
                "INSERT INTO users VALUES (1, 'ada@x', 'active'), (2, 'bob@x', 'banned'), (3, 'cy@x', 'active')");
        String p = infra.uniqueName("kf");
        WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db, """
                  - name: by-email
                    table: users
                    key: ["%s:v2:email:${email}", "%s:v1:email:${email}"]
                    where: {status: active}
                    value: string
                    columns: [id]
                """.formatted(p, p)));
        RedisClient client = RedisClient.create(infra.redisUri());
        try (WarmerService warmer = WarmerService.start(config); var connection = client.connect()) {
            var redis = connection.sync();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(redis.get(p + ":v2:email:ada@x")).isEqualTo("1");
                assertThat(redis.get(p + ":v1:email:cy@x")).isEqualTo("3");
            });
            assertThat(redis.exists(p + ":v2:email:bob@x")).as("a banned user has no entry").isZero();

            db.execute("UPDATE users SET email = 'ada@new' WHERE id = 1",
                    "UPDATE users SET status = 'banned' WHERE id = 3",
                    "UPDATE users SET status = 'active' WHERE id = 2");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(redis.get(p + ":v2:email:ada@new")).isEqualTo("1");
                assertThat(redis.exists(p + ":v2:email:ada@x", p + ":v1:email:ada@x")).as("old email keys").isZero();
                assertThat(redis.exists(p + ":v2:email:cy@x", p + ":v1:email:cy@x")).as("keys of a user who stopped matching").isZero();
                assertThat(redis.get(p + ":v1:email:bob@x")).isEqualTo("2");
            });

            db.execute("DELETE FROM users WHERE id = 1");
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(redis.exists(p + ":v2:email:ada@new", p + ":v1:email:ada@new")).as("keys of a deleted user").isZero());
        } finally {
            client.shutdown();
        }
    }
}
