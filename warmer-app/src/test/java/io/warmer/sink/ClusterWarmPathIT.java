package io.warmer.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.warmer.config.RedisSettings;
import io.warmer.config.WarmerConfig;
import io.warmer.service.WarmerService;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The whole service, configured with {@code redis.mode: cluster}, warms a table into a real Redis Cluster. */
@ExtendWith(WarmerInfrastructure.class)
class ClusterWarmPathIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ROWS = 200;

    @Test
    void shouldSnapshotATableIntoTheClusterAndApplyLaterChanges(TestInfra infra) {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, " + ROWS + ") i");
        String keyPrefix = infra.uniqueName("cl");
        WarmerConfig config = TestConfigs.parse(TestConfigs.yaml(infra, db,
                "{mode: cluster, uri: \"" + infra.redisClusterUri() + "\"}", """
                  - name: profile
                    table: users
                    key: "%s:user:${id}"
                    columns: [id, name]
                """.formatted(keyPrefix)));
        assertThat(config.redis().mode()).isEqualTo(RedisSettings.Mode.CLUSTER);

        RedisClusterClient client = RedisClusterClient.create(infra.redisClusterUri());
        try (StatefulRedisClusterConnection<String, String> connection = client.connect();
             WarmerService warmer = WarmerService.start(config)) {
            var redis = connection.sync();
            await().atMost(WAIT).until(() -> LongStream.rangeClosed(1, ROWS)
                    .allMatch(id -> redis.exists(keyPrefix + ":user:" + id) > 0));
            assertThat(redis.get(keyPrefix + ":user:7")).isEqualTo("{\"id\":7,\"name\":\"user 7\"}");
            assertThat(LongStream.rangeClosed(1, ROWS)
                    .mapToObj(id -> connection.getPartitions().getMasterBySlot(SlotHash.getSlot(keyPrefix + ":user:" + id)))
                    .collect(Collectors.toSet())).hasSize(3);

            db.execute("UPDATE users SET name = 'renamed' WHERE id = 7", "DELETE FROM users WHERE id = 8");

            await().atMost(WAIT).until(() -> redis.exists(keyPrefix + ":user:8") == 0
                    && "{\"id\":7,\"name\":\"renamed\"}".equals(redis.get(keyPrefix + ":user:7")));
        } finally {
            client.shutdown();
        }
    }
}
