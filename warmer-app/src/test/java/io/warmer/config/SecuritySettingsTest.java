package io.warmer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmer.kafka.KafkaClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kafka.security}, {@code kafka.properties}, PostgreSQL's TLS fields and Redis's ACL user and TLS files. */
class SecuritySettingsTest {

    private static final Map<String, String> ENV = Map.of("PGPASSWORD", "pg-secret", "KAFKA_PASSWORD", "kafka-secret",
            "STORE_PASSWORD", "store-secret", "REDIS_PASSWORD", "redis-secret");
    private final ConfigLoader loader = new ConfigLoader(ENV::get);

    @TempDir
    Path dir;

    private String yaml(String kafkaExtra, String redisExtra) {
        return ConfigLoaderTest.VALID
                .replace("  bootstrap-servers: kafka:9092", "  bootstrap-servers: kafka:9093\n" + kafkaExtra)
                .replace("  uri: redis://cache:6379", redisExtra.isEmpty() ? "  uri: redis://cache:6379" : redisExtra);
    }

    private String trustStore() throws Exception {
        Path file = dir.resolve("ca.p12");
        Files.writeString(file, "not read by the configuration");
        return file.toString();
    }

    @Test
    void shouldGiveEveryClientTheSecurityAndTheExtraPropertiesWithSecretsFromTheEnvironment() throws Exception {
        WarmerConfig config = loader.parse(yaml("""
                  security:
                    protocol: SASL_SSL
                    sasl: {mechanism: SCRAM-SHA-512, username: warmer, password-env: KAFKA_PASSWORD}
                    trust-store: {location: "%s", password-env: STORE_PASSWORD}
                  properties: {client.dns.lookup: use_all_dns_ips, consumer.max.poll.records: 500}
                """.formatted(trustStore()), ""), "warmer.yml");

        KafkaClients clients = config.kafka().clients();
        var properties = clients.properties();
        assertThat(properties).containsEntry("bootstrap.servers", "kafka:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"warmer\" password=\"kafka-secret\";")
                .containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("ssl.truststore.password", "store-secret")
                .containsEntry("client.dns.lookup", "use_all_dns_ips");
        assertThat(clients.where()).isEqualTo("Kafka at kafka:9093 (SASL_SSL)");
        assertThat(clients.toString() + config).doesNotContain("kafka-secret").doesNotContain("store-secret")
                .doesNotContain("pg-secret");
    }

    @Test
    void shouldRefuseAPropertyThatCorrectnessDependsOnOrThatAFieldSets() {
        assertThatThrownBy(() -> loader.parse(yaml("  properties: {enable.idempotence: false}\n", ""), "warmer.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.properties.enable.idempotence: is set by Warmer itself");
        assertThatThrownBy(() -> loader.parse(yaml("  properties: {security.protocol: SSL}\n", ""), "warmer.yml"))
                .hasMessageContaining("kafka.properties.security.protocol: is set by kafka.security");
        assertThatThrownBy(() -> loader.parse(yaml("  properties: {lingr.ms: 5}\n", ""), "warmer.yml"))
                .hasMessageContaining("kafka.properties.lingr.ms: is not a property of a Kafka producer");
        assertThatThrownBy(() -> loader.parse(yaml("  properties: {sasl.client.callback.handler.class: x,"
                + " ssl.keystore.key: secret}\n", ""), "warmer.yml"))
                .hasMessageContaining("kafka.properties.ssl.keystore.key: is a secret");
    }

    @Test
    void shouldNameTheFieldOfAMisconfiguredSecuritySetting() {
        assertThatThrownBy(() -> loader.parse(yaml("  security: {protocol: SASL_SSL}\n", ""), "warmer.yml"))
                .hasMessageStartingWith("warmer.yml: kafka.security.sasl: is required");
        assertThatThrownBy(() -> loader.parse(yaml("  security: {protocol: TLS}\n", ""), "warmer.yml"))
                .hasMessageContaining("kafka.security.protocol: found 'TLS', expected one of: PLAINTEXT, SSL,"
                        + " SASL_PLAINTEXT, SASL_SSL");
        assertThatThrownBy(() -> loader.parse(yaml("  security: {protocol: SASL_SSL, sasl: {mechanism: OAUTHBEARER}}\n",
                ""), "warmer.yml"))
                .hasMessageContaining("kafka.security.sasl.jaas-config-env: is required with mechanism OAUTHBEARER");
        assertThatThrownBy(() -> loader.parse(yaml("  security: {protocol: SSL, trust-store: {location: /nowhere/ca.pem}}\n",
                ""), "warmer.yml"))
                .hasMessageContaining("kafka.security.trust-store.location: found '/nowhere/ca.pem', which is not a file");
        assertThatThrownBy(() -> loader.parse(yaml("  security: {protocol: SASL_SSL, sasl: {mechanism: PLAIN,"
                + " username: warmer, password-env: UNSET}}\n", ""), "warmer.yml"))
                .hasMessageContaining("kafka.security.sasl.password-env: the environment variable 'UNSET' is not set");
        assertThatThrownBy(() -> loader.parse(ConfigLoaderTest.VALID.replace("password-env: PGPASSWORD",
                "password-env: PGPASSWORD\n    ssl-mode: verify-everything"), "warmer.yml"))
                .hasMessageContaining("source.postgres.ssl-mode: found 'verify-everything', expected one of: disable,"
                        + " allow, prefer, require, verify-ca, verify-full");
        assertThatThrownBy(() -> loader.parse(yaml("", "  uri: redis://cache:6379\n  tls: {ca-cert: /x.pem}"),
                "warmer.yml"))
                .hasMessageContaining("redis.tls: found TLS certificates for 'redis://cache:6379', expected a rediss://");
    }

    @Test
    void shouldAuthenticateToRedisAsTheAclUserWithThePasswordFromTheEnvironment() {
        WarmerConfig config = loader.parse(yaml("", "  uri: rediss://cache:6380\n  user: warmer\n"
                + "  password-env: REDIS_PASSWORD"), "warmer.yml");

        var seed = config.redis().seedUris().get(0);
        assertThat(seed.isSsl()).isTrue();
        assertThat(seed.getCredentialsProvider().resolveCredentials().block().getUsername()).isEqualTo("warmer");
        assertThat(new String(seed.getCredentialsProvider().resolveCredentials().block().getPassword()))
                .isEqualTo("redis-secret");
        assertThat(config.redis().toString()).doesNotContain("redis-secret");
    }

    @Test
    void shouldListEveryMissingSecretWhenCheckingWithoutConnecting() throws Exception {
        Path file = dir.resolve("warmer.yml");
        Files.writeString(file, yaml("""
                  security:
                    protocol: SASL_SSL
                    sasl: {mechanism: PLAIN, username: warmer, password-env: WARMER_KAFKA_PASSWORD}
                """, "  uri: rediss://cache:6380\n  user: warmer\n  password-env: WARMER_REDIS_PASSWORD"));

        var checked = new ConfigLoader(name -> null).check(file);

        assertThat(checked.missingSecrets()).containsExactlyInAnyOrder(
                "source.postgres.password-env: the environment variable 'PGPASSWORD' is not set",
                "kafka.security.sasl.password-env: the environment variable 'WARMER_KAFKA_PASSWORD' is not set",
                "redis.password-env: the environment variable 'WARMER_REDIS_PASSWORD' is not set");
    }
}
