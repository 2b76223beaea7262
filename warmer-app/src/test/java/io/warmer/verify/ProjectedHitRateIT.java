package io.warmer.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.warmer.testing.Cli;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `warmer verify --reads`: the hit rate the new code would see for recorded reads of old keys. */
@ExtendWith(WarmerInfrastructure.class)
class ProjectedHitRateIT {

    @Test
    void shouldMapOldKeysToTheNewFormatAndCountTheHits(TestInfra infra, @TempDir Path dir) throws Exception {
        String p = infra.uniqueName("ph");
        Path config = dir.resolve("warmer.yml");
        Files.writeString(config, """
                source: {postgres: {host: localhost, database: app, user: warmer}}
                kafka: {bootstrap-servers: "localhost:9092"}
                redis: {uri: "%s"}
                families:
                  - {name: profile, table: users, key: ["%s:v2:user:${id}:profile", "%s:user:${id}:profile"]}
                """.formatted(infra.redisUri(), p, p));
        RedisClient client = RedisClient.create(infra.redisUri());
        try (var connection = client.connect()) {
            for (int id = 1; id <= 9; id++) {
                connection.sync().set(p + ":v2:user:" + id + ":profile", "{}");
            }
        } finally {
            client.shutdown();
        }
        List<String> reads = new ArrayList<>();
        for (int id = 1; id <= 10; id++) {
            reads.add(p + ":user:" + id + ":profile");
        }
        reads.add("1764160000.123456 [0 127.0.0.1:50000] \"GET\" \"" + p + ":user:3:profile\"");
        reads.add("session:abc");
        Path file = dir.resolve("reads.txt");
        Files.write(file, reads);

        Cli.Result result = Cli.run("verify", "--config", config.toString(), "--reads", file.toString(),
                "--min-projected-hit-rate", "0.95");

        assertThat(result.out()).contains("projected hit rate: 90.91% (10 of 11 mapped reads would hit; 1 of 12 reads matched"
                + " no legacy key)", "  miss: " + p + ":user:10:profile -> " + p + ":v2:user:10:profile");
        assertThat(result.exit()).as("below --min-projected-hit-rate").isEqualTo(1);
    }
}
