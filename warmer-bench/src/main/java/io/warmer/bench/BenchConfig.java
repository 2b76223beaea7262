package io.warmer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Warmer's configuration files for the benchmark's servers, one per role a workload gives Warmer. */
final class BenchConfig {

    /** The environment variable the configuration names for the PostgreSQL password. */
    static final String PASSWORD_ENV = "WARMER_BENCH_PG_PASSWORD";
    static final String TOPIC_PREFIX = "bench";
    static final int PARTITIONS = 4;
    static final int STREAM_THREADS = 2;
    /** W1's key family: the first segment is what {@code replay --target-prefix} replaces. */
    static final String KEY_PREFIX = "v1";

    private BenchConfig() {
    }

    /**
     * Writes {@code <dir>/<name>.yml}: the users table as one fenced family {@code <keyPrefix>:user:${id}}
     * (JSON of every column, 1 h TTL), under the given consumer group.
     */
    static Path write(Path dir, String name, BenchServers servers, String applicationId, String keyPrefix) {
        String yaml = """
                # Written by warmer-bench (io.warmer.bench.BenchConfig) for one benchmark run.
                source:
                  postgres: {host: "%s", port: %d, database: "%s", user: "%s", password-env: %s}
                kafka:
                  bootstrap-servers: "%s"
                  topic-prefix: %s
                  partitions: %d
                  stream-threads: %d
                  application-id: %s
                  state-dir: "%s"
                redis: {uri: "%s"}
                # Monitoring on, as users run it, on any free port: X2 runs two processes side by side.
                http: {port: 0}
                families:
                  - {name: user, table: %s, key: "%s:user:${id}", ttl: 1h}
                """.formatted(servers.postgres.host(), servers.postgres.port(), servers.postgres.database(),
                servers.postgres.user(), PASSWORD_ENV, servers.kafka.bootstrapServers(), TOPIC_PREFIX, PARTITIONS,
                STREAM_THREADS, applicationId, dir.resolve("streams"), servers.redis.uri(), UsersTable.TABLE, keyPrefix);
        Path file = dir.resolve(name + ".yml");
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
        return file;
    }

    /** What Warmer's JVM needs in its environment to read {@link #write}'s files. */
    static Map<String, String> environment(BenchServers servers) {
        return Map.of(PASSWORD_ENV, servers.postgres.password());
    }
}
