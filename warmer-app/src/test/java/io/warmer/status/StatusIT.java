package io.warmer.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.warmer.change.RowChangeCodec;
import io.warmer.config.WarmerConfig;
import io.warmer.service.WarmerService;
import io.warmer.testing.Cli;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `warmer status`, run beside a live service, shows each family's progress from the outside. */
@ExtendWith(WarmerInfrastructure.class)
class StatusIT {

    @Test
    void shouldShowEachFamilysProgressWhileTheServiceRuns(TestInfra infra, @TempDir Path dir) throws Exception {
        TestDatabase db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, 300) i",
                "CREATE TABLE contacts (id bigint PRIMARY KEY, email text)",
                "INSERT INTO contacts SELECT i, 'u' || i || '@example.com' FROM generate_series(1, 50) i",
                "UPDATE contacts SET email = NULL WHERE id = 7");
        String p = infra.uniqueName("st");
        String yaml = TestConfigs.yaml(infra, db, """
                  - {name: by-id, table: users, key: "%s:user:${id}"}
                  - {name: by-email, table: contacts, key: "%s:email:${email}"}
                """.formatted(p, p));
        Path config = Files.writeString(dir.resolve("warmer.yml"), yaml);
        WarmerConfig loaded = TestConfigs.parse(yaml);

        Cli.Result before = Cli.run("status", "--config", config.toString(), "--window", "0s");
        assertThat(before.exit()).as(before.err()).isZero();
        assertThat(before.out()).contains("capture: not started");

        AtomicBoolean writing = new AtomicBoolean(true);
        try (WarmerService service = WarmerService.start(loaded)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> service.counters().puts() >= 300 + 49);
            Thread updates = new Thread(() -> {
                while (writing.get()) {
                    try {
                        db.execute("UPDATE users SET name = 'renamed " + System.nanoTime() + "' WHERE id = "
                                + ThreadLocalRandom.current().nextInt(1, 301));
                        Thread.sleep(20);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            updates.start();
            try {
                Cli.Result during = Cli.run("status", "--config", config.toString(), "--window", "3s", "--json");

                assertThat(during.exit()).as(during.err()).isZero();
                JsonNode report = RowChangeCodec.json().readTree(during.out());
                assertThat(report.path("capture").asText()).isEqualTo("STREAMING");
                JsonNode byId = report.path("families").get(0);
                JsonNode byEmail = report.path("families").get(1);
                assertThat(byId.path("name").asText()).isEqualTo("by-id");
                assertThat(byId.path("written").asLong()).isGreaterThanOrEqualTo(300);
                assertThat(byId.path("writesPerSecond").asDouble()).as("updates keep coming").isPositive();
                // Values of rows changed in the last milliseconds are in flight: present, but not yet the new bytes.
                assertThat(byId.path("coverage").asDouble()).isGreaterThan(0.9);
                assertThat(byId.path("deadLettered").asLong()).isZero();
                assertThat(byEmail.path("deadLettered").asLong()).as("the row with no email").isEqualTo(1);
            } finally {
                writing.set(false);
                updates.join();
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Cli.Result after = Cli.run("status", "--config", config.toString(), "--window", "0s");
                assertThat(after.out()).contains("capture: snapshot done, streaming")
                        .containsPattern("(?m)^by-id +0 +100\\.00% +[0-9.,]+ +[0-9,]+ +0 +0 +0$")
                        .containsPattern("(?m)^by-email +0 +[0-9.]+% +[0-9.,]+ +[0-9,]+ +0 +0 +1$");
            });
        }
    }

    @Test
    void shouldSayWhichServerItCannotReach(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("warmer.yml"), """
                source: {postgres: {host: localhost, database: app, user: warmer}}
                kafka: {bootstrap-servers: "localhost:9092"}
                redis: {uri: "redis://127.0.0.1:1"}
                families:
                  - {name: p, table: users, key: "user:${id}"}
                """);

        Cli.Result run = Cli.run("status", "--config", config.toString(), "--sample", "0", "--window", "0s");

        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).contains("Redis at 127.0.0.1:1");
    }
}
