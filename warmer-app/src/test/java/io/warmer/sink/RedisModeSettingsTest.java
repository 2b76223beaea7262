package io.warmer.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import io.warmer.config.ConfigException;
import io.warmer.config.ConfigLoader;
import io.warmer.config.RedisSettings;
import io.warmer.redis.Redis;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code redis.mode} and the seed nodes of {@code redis.uri}, as the configuration file gives them. */
class RedisModeSettingsTest {

    private static final String DOCUMENT = """
            source:
              postgres:
                host: db.internal
                database: app
                user: warmer
            kafka:
              bootstrap-servers: kafka:9092
            redis:
            %s
            families:
              - name: user-profile-v2
                table: users
                key: "v2:{user:${id}}:profile"
            """;

    private final ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);

    /** Where messages say Redis is: parsed once, by the process's Redis, which connects to nothing yet. */
    private static String addressOf(RedisSettings settings) {
        try (Redis redis = Redis.of(settings)) {
            return redis.address();
        }
    }

    private RedisSettings redis(String... lines) {
        return loader.parse(DOCUMENT.formatted("  " + String.join("\n  ", lines)), "warmer.yml").redis();
    }

    @Test
    void shouldDefaultToAStandaloneRedis() {
        RedisSettings settings = redis("uri: redis://cache:6379");

        assertThat(settings.mode()).isEqualTo(RedisSettings.DEFAULT_MODE).isEqualTo(RedisSettings.Mode.STANDALONE);
        assertThat(addressOf(settings)).isEqualTo("cache:6379");
    }

    @Test
    void shouldReadTheSeedNodesOfACluster() {
        RedisSettings settings = redis("mode: cluster", "uri: redis://:s3cret@h1:7000,h2:7001,h3");

        assertThat(settings.mode()).isEqualTo(RedisSettings.Mode.CLUSTER);
        assertThat(settings.seedUris()).extracting(RedisURI::getHost, RedisURI::getPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("h1", 7000),
                        org.assertj.core.groups.Tuple.tuple("h2", 7001),
                        org.assertj.core.groups.Tuple.tuple("h3", 6379));
        assertThat(addressOf(settings)).isEqualTo("h1:7000,h2:7001,h3:6379");
        assertThat(settings.toString()).contains("mode=cluster").doesNotContain("s3cret");
    }

    @Test
    void shouldNameTheFieldAndTheAcceptedModesForAnUnknownMode() {
        assertThatThrownBy(() -> redis("mode: sentinel", "uri: redis://cache:6379"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("warmer.yml: redis.mode: found 'sentinel', expected one of: standalone, cluster");
    }

    @Test
    void shouldRefuseSeveralHostsInStandaloneMode() {
        assertThatThrownBy(() -> redis("uri: redis://h1:7000,h2:7001"))
                .hasMessage("warmer.yml: redis.uri: found several hosts in 'redis://h1:7000,h2:7001', expected one"
                        + " host in mode standalone; for a Redis Cluster set redis.mode: cluster");
    }

    @Test
    void shouldRefuseASchemePerSeedNodeWithoutPrintingThePassword() {
        assertThatThrownBy(() -> redis("mode: cluster", "uri: redis://:s3cret@h1:7000,redis://h2:7001"))
                .hasMessage("warmer.yml: redis.uri: found 'redis://****@h1:7000,redis://h2:7001', expected the"
                        + " cluster's seed nodes under one scheme, separated by commas, such as"
                        + " redis://host1:7000,host2:7001");
    }
}
