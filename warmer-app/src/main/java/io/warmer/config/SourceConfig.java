package io.warmer.config;

import java.util.Optional;

/**
 * {@code source}: where row changes come from. Either Warmer captures them from PostgreSQL itself ({@code postgres}
 * alone), or it reads the topics an existing Debezium deployment writes ({@code debezium-topics}); then
 * {@code postgres} is optional and only read (pre-flight checks, {@code verify}, readiness sampling, memory
 * estimates), never streamed from: no slot, no REPLICATION. Without it readiness judges what Kafka and Redis can tell
 * (lag, broken families, rebuilds) and says that values were not compared with the database.
 */
public record SourceConfig(PostgresSourceConfig postgres, DebeziumTopicsConfig debeziumTopics) {

    public SourceConfig {
        if (postgres == null && debeziumTopics == null) {
            throw InvalidFieldException.missing("postgres", "{host: localhost, database: app, user: warmer}, or"
                    + " debezium-topics: {topic-prefix: dbserver1} to read an existing Debezium deployment's topics");
        }
    }

    public SourceConfig(PostgresSourceConfig postgres) {
        this(postgres, null);
    }

    /** Whether changes come from an existing Debezium deployment's topics rather than Warmer's own capture. */
    public boolean fromDebeziumTopics() {
        return debeziumTopics != null;
    }

    /** The database Warmer may read (its own capture's, or a read-only user beside debezium-topics); empty without. */
    public Optional<PostgresSourceConfig> database() {
        return Optional.ofNullable(postgres);
    }

    /**
     * The database, for work that cannot be done without it.
     *
     * @param work what needs it, e.g. "verify compares Redis with the database"
     * @throws ConfigException naming {@code source.postgres} and what to add
     */
    public PostgresSourceConfig requireDatabase(String work) {
        if (postgres == null) {
            throw new ConfigException("the configuration", "source.postgres", "is not configured, and " + work + ": add a read-only"
                    + " user beside debezium-topics, e.g. postgres: {host: db, database: app, user: warmer_ro,"
                    + " password-env: WARMER_PG_PASSWORD}");
        }
        return postgres;
    }

    SourceConfig resolve(Secrets secrets) {
        return new SourceConfig(postgres == null ? null : postgres.resolve(secrets), debeziumTopics);
    }
}
