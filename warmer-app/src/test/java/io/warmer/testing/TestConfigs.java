package io.warmer.testing;

import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;

/**
 * The configuration an integration test runs Warmer with: the shared servers, the test's own
 * database, and a slot, publication, topic prefix and consumer group no other test uses. The test
 * supplies only what it is about: its families.
 */
public final class TestConfigs {

    private TestConfigs() {
    }

    /** @param families the YAML list under {@code families:}, indented by two spaces */
    public static String yaml(TestInfra infra, TestDatabase db, String families) {
        return yaml(infra, db, "{uri: \"" + infra.redisUri() + "\"}", families);
    }

    /** @param redis the YAML mapping under {@code redis:}, e.g. {@code {mode: cluster, uri: "..."}} */
    public static String yaml(TestInfra infra, TestDatabase db, String redis, String families) {
        return yaml(infra, db, redis, "{port: 0}", families);
    }

    /**
     * @param redis the YAML mapping under {@code redis:}
     * @param http  the YAML mapping under {@code http:}; tests take any free port, {@code port: 0}
     */
    public static String yaml(TestInfra infra, TestDatabase db, String redis, String http, String families) {
        return yaml(infra, db, Deployment.unique(infra), redis, http, families);
    }

    /**
     * The names one deployment keeps across restarts (slot, publication, topic prefix, application id), so that a
     * test can restart the service with another configuration of the same deployment.
     */
    public record Deployment(String slot, String publication, String topics, String application) {
        public static Deployment unique(TestInfra infra) {
            return new Deployment(infra.uniqueName("slot"), infra.uniqueName("pub"), infra.uniqueName("topics"),
                    infra.uniqueName("app"));
        }
    }

    /** {@link #yaml(TestInfra, TestDatabase, String, String, String)} for the given deployment's names. */
    public static String yaml(TestInfra infra, TestDatabase db, Deployment names, String redis, String http,
                              String families) {
        return """
                source:
                  postgres: {host: %s, port: %d, database: %s, user: %s, password: "%s", slot: %s, publication: %s}
                kafka: {bootstrap-servers: "%s", topic-prefix: %s, partitions: 2, application-id: %s, %s}
                redis: %s
                http: %s
                families:
                %s""".formatted(infra.postgres().host(), infra.postgres().port(), db.name(), infra.postgres().user(),
                infra.postgres().password(), names.slot(), names.publication(), infra.kafkaBootstrapServers(),
                names.topics(), names.application(), STATE_DIR, redis, http, families);
    }

    /** The {@code kafka.state-dir} of {@link #yaml}'s configurations. */
    private static final String STATE_DIR = "state-dir: target/warmer-data/streams";

    /**
     * A configuration of {@link #yaml} with more {@code kafka:} entries, e.g. {@code state-dir: "/tmp/x"} (which replaces
     * the default one) or {@code properties: {max.block.ms: '15000'}}: the one place that knows how that line ends.
     */
    public static String withKafka(String yaml, String entries) {
        String end = ", " + STATE_DIR + "}";
        if (!yaml.contains(end)) {
            throw new IllegalArgumentException("not a configuration of TestConfigs.yaml: no kafka line ending in " + end);
        }
        return yaml.replace(end, (entries.startsWith("state-dir:") ? "" : ", " + STATE_DIR) + ", " + entries + "}");
    }

    public static WarmerConfig parse(String yaml) {
        return new ConfigLoader(name -> null).parse(yaml, "test.yml");
    }
}
