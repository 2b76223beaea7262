package io.warmer;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.ConfigLoader;
import io.warmer.config.KafkaSettings;
import io.warmer.config.PostgresSourceConfig;
import io.warmer.config.RedisSettings;
import io.warmer.config.WarmerConfig;
import io.warmer.guard.EvictionGuard;
import io.warmer.guard.MemoryEstimate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's examples and defaults are checked against the code, so the README cannot rot. */
class ReadmeTest {

    private static final Path README = Path.of("..", "README.md");

    private static String readme() throws Exception {
        return Files.readString(README);
    }

    @Test
    void shouldShowAConfigurationExampleThatWarmerLoads() throws Exception {
        Matcher yaml = Pattern.compile("```yaml\n(source:.*?)```", Pattern.DOTALL).matcher(readme());
        assertThat(yaml.find()).as("a yaml block starting with source: in README.md").isTrue();

        WarmerConfig config = new ConfigLoader(name -> "from-the-environment").parse(yaml.group(1), "README.md");

        assertThat(config.families()).extracting(f -> f.key().get(0).toString())
                .containsExactly("v2:user:${id}:profile", "user:${id}:profile");
    }

    @Test
    void shouldStateTheDefaultsTheCodeApplies() throws Exception {
        Map<String, Object> defaults = Map.ofEntries(
                Map.entry("source.postgres.port", PostgresSourceConfig.DEFAULT_PORT),
                Map.entry("source.postgres.slot", PostgresSourceConfig.DEFAULT_SLOT),
                Map.entry("source.postgres.publication", PostgresSourceConfig.DEFAULT_PUBLICATION),
                Map.entry("kafka.topic-prefix", KafkaSettings.DEFAULT_TOPIC_PREFIX),
                Map.entry("kafka.partitions", KafkaSettings.DEFAULT_PARTITIONS),
                Map.entry("kafka.replication-factor", KafkaSettings.DEFAULT_REPLICATION_FACTOR),
                Map.entry("kafka.application-id", KafkaSettings.DEFAULT_APPLICATION_ID),
                Map.entry("kafka.stream-threads", KafkaSettings.DEFAULT_STREAM_THREADS),
                Map.entry("redis.pipeline", RedisSettings.DEFAULT_PIPELINE),
                Map.entry("source.postgres.timestamps", PostgresSourceConfig.DEFAULT_TIMESTAMPS.wireName()),
                Map.entry("source.postgres.snapshot.chunk-rows", io.warmer.capture.snapshot.SnapshotSettings.DEFAULT_CHUNK_ROWS),
                Map.entry("source.postgres.snapshot.threads", io.warmer.capture.snapshot.SnapshotSettings.DEFAULT_THREADS),
                Map.entry("redis.mode", RedisSettings.DEFAULT_MODE.wireName()),
                Map.entry("redis.eviction-guard", RedisSettings.DEFAULT_EVICTION_GUARD.wireName()),
                Map.entry("redis.rewarm.enabled", io.warmer.config.RewarmSettings.DEFAULT_ENABLED),
                Map.entry("redis.rewarm.rate", io.warmer.config.RewarmSettings.DEFAULT_RATE),
                Map.entry("families[].fencing", io.warmer.config.FamilyConfig.DEFAULT_FENCING),
                Map.entry("families[].tombstone-ttl", io.warmer.config.Durations.format(io.warmer.family.Fencing.DEFAULT_TOMBSTONE_TTL)),
                Map.entry("redis.write-timeout", io.warmer.config.Durations.format(RedisSettings.DEFAULT_WRITE_TIMEOUT)),
                Map.entry("redis.connect-timeout", io.warmer.config.Durations.format(RedisSettings.DEFAULT_CONNECT_TIMEOUT)),
                Map.entry("redis.command-timeout", io.warmer.config.Durations.format(RedisSettings.DEFAULT_COMMAND_TIMEOUT)),
                Map.entry("kafka.state-dir", KafkaSettings.DEFAULT_STATE_DIR),
                Map.entry("http.port", io.warmer.config.HttpSettings.DEFAULT_PORT),
                Map.entry("http.bind", io.warmer.config.HttpSettings.DEFAULT_BIND),
                Map.entry("http.check-interval", io.warmer.config.Durations.format(io.warmer.config.HttpSettings.DEFAULT_CHECK_INTERVAL)),
                Map.entry("http.ready.min-coverage", io.warmer.config.ReadyTargets.DEFAULT_MIN_COVERAGE),
                Map.entry("http.ready.max-lag", io.warmer.config.ReadyTargets.DEFAULT_MAX_LAG),
                Map.entry("http.ready.sample", io.warmer.config.ReadyTargets.DEFAULT_SAMPLE));
        String text = readme();
        for (var entry : defaults.entrySet()) {
            assertThat(text).as("README row for %s", entry.getKey())
                    .contains("| `" + entry.getKey() + "` | `" + entry.getValue() + "` |");
        }
    }

    @Test
    void shouldStateTheEvictionGuardsFiguresTheCodeApplies() throws Exception {
        String guard = readme().substring(readme().indexOf("### Eviction guard"));

        assertThat(guard).contains(
                "samples " + MemoryEstimate.SAMPLE_ROWS + " rows",
                "up to " + MemoryEstimate.PROBES + " probe entries",
                "less than " + MemoryEstimate.PROBE_HEADROOM / (1024 * 1024) + " MiB free, nothing is probed",
                "every " + EvictionGuard.POLL_INTERVAL.toMillis() + " ms",
                "uses less than " + Math.round(100 * EvictionGuard.RESUME_BELOW) + "% of its `maxmemory`");
    }

    @Test
    void shouldStateTheOrphanSweepsPace() throws Exception {
        assertThat(readme()).contains(String.format("SCAN, %,d keys scanned a second", io.warmer.sweep.OrphanSweep.KEYS_PER_SECOND));
    }

    @Test
    void shouldGiveTheTwoCommands() throws Exception {
        assertThat(readme()).contains("./warmer demo", "./mvnw verify");
        assertThat(Files.readString(Path.of("..", ".ci", "run"))).contains("./mvnw -B verify");
    }
}
