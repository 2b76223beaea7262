package io.warmer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.status.ConsumerProgress;
import io.warmer.testing.PackagedWarmer;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `warmer run` as a real process, as an operator runs it: started from the packaged jar, stopped by SIGTERM. */
@ExtendWith(WarmerInfrastructure.class)
class RunCommandIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void shouldStopGracefullyOnSigtermWithEveryChangeCommitted(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, 200) i");
        String prefix = infra.uniqueName("run");
        String topicPrefix = infra.uniqueName("runtopics");
        String applicationId = infra.uniqueName("runapp");
        Path config = dir.resolve("warmer.yml");
        Files.writeString(config, """
                source:
                  postgres: {host: %s, port: %d, database: %s, user: %s, password-env: RUN_IT_PASSWORD, slot: %s, publication: %s}
                kafka: {bootstrap-servers: "%s", topic-prefix: %s, partitions: 2, application-id: %s}
                redis: {uri: "%s"}
                http: {port: 0}
                families:
                  - {name: profile, table: users, key: "%s:user:${id}"}
                """.formatted(infra.postgres().host(), infra.postgres().port(), db.name(), infra.postgres().user(),
                infra.uniqueName("slot"), infra.uniqueName("pub"), infra.kafkaBootstrapServers(), topicPrefix,
                applicationId, infra.redisUri(), prefix));
        Path output = dir.resolve("out.txt");
        ProcessBuilder builder = PackagedWarmer.command("run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("RUN_IT_PASSWORD", infra.postgres().password());
        builder.environment().put("WARMER_LOG_DIR", dir.resolve("logs").toString());
        Process warmer = builder.start();
        RedisClient client = RedisClient.create(infra.redisUri());
        try (var redis = client.connect()) {
            await().atMost(WAIT).until(() -> redis.sync().keys(prefix + ":*").size() == 200);
            db.execute("UPDATE users SET name = 'last words' WHERE id <= 50");

            warmer.destroy(); // SIGTERM

            assertThat(warmer.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
            assertThat(Files.readString(output)).contains("warmer: stopped; capture offsets stored");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers()))) {
                var progress = new ConsumerProgress(admin, applicationId);
                var ends = progress.endOffsets(List.of(ChangeTopics.topicFor(topicPrefix, TableId.parse("users"))));
                assertThat(progress.behind(ends)).as("changes on the topic not committed by the materializer").isZero();
            }
        } finally {
            warmer.destroyForcibly();
            client.shutdown();
        }
    }
}
