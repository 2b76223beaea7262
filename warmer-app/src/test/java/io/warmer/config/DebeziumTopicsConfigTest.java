package io.warmer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmer.capture.DebeziumEvents;
import io.warmer.change.TableId;
import org.junit.jupiter.api.Test;

/** {@code source.debezium-topics}: a Debezium deployment's topics instead of Warmer's own capture. */
class DebeziumTopicsConfigTest {

    private static final String CONFIG = """
            source:
              debezium-topics: {topic-prefix: dbserver1}
              postgres: {host: db, database: app, user: reader}
            kafka: {bootstrap-servers: "kafka:9092"}
            redis: {uri: "redis://cache:6379"}
            families:
              - {name: user, table: users, key: "user:${id}"}
            """;

    private final ConfigLoader loader = new ConfigLoader(name -> null);

    @Test
    void shouldReadTheTopicsWithTheDocumentedDefaults() {
        WarmerConfig config = loader.parse(CONFIG, "warmer.yml");

        DebeziumTopicsConfig topics = config.source().debeziumTopics();
        assertThat(config.source().fromDebeziumTopics()).isTrue();
        assertThat(topics.topicOf(TableId.parse("users"))).isEqualTo("dbserver1.public.users");
        assertThat(topics.settings()).isEqualTo(new DebeziumEvents.Settings(DebeziumEvents.Connector.POSTGRESQL,
                DebeziumEvents.Format.ENVELOPE, true, "__debezium_unavailable_value", null));
    }

    @Test
    void shouldSayWhatIsWrongWithTheSection() {
        assertThatThrownBy(() -> loader.parse(CONFIG.replace("{topic-prefix: dbserver1}",
                "{topic-prefix: dbserver1, connector: oracle}"), "warmer.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("warmer.yml: source.debezium-topics.connector: found 'oracle', expected one of: postgresql, mysql");
        assertThatThrownBy(() -> loader.parse(CONFIG.replace("{topic-prefix: dbserver1}",
                "{topic-prefix: dbserver1, format: flat}"), "warmer.yml"))
                .hasMessage("warmer.yml: source.debezium-topics.format: found 'flat', expected one of: envelope, unwrapped");
        assertThatThrownBy(() -> loader.parse(CONFIG.replace("  postgres: {host: db, database: app, user: reader}\n",
                "").replace("  debezium-topics: {topic-prefix: dbserver1}\n", "  {}\n"), "warmer.yml"))
                .hasMessageContaining("source.postgres: is required")
                .hasMessageContaining("or debezium-topics: {topic-prefix: dbserver1}");
    }

    @Test
    void shouldReadTheTopicsWithoutADatabase() {
        WarmerConfig config = loader.parse(CONFIG.replace("  postgres: {host: db, database: app, user: reader}\n",
                ""), "warmer.yml");

        assertThat(config.source().database()).isEmpty();
        assertThat(SchemaCheck.preflight(config)).isEmpty();
        assertThatThrownBy(() -> config.source().requireDatabase("verify compares Redis with the database"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("the configuration: source.postgres: is not configured, and verify compares"
                        + " Redis with the database: add a read-only user beside debezium-topics");
    }
}
