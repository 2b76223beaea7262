package io.warmer.config;

/**
 * {@code source}: where row changes come from. Either Warmer captures them from PostgreSQL itself ({@code postgres}
 * alone), or it reads the topics an existing Debezium deployment writes ({@code debezium-topics}); then
 * {@code postgres} is only read (pre-flight checks, {@code verify}, readiness sampling, memory estimates), never
 * streamed from: no slot, no REPLICATION. Readiness judges values against the database, so it is required either way.
 */
public record SourceConfig(PostgresSourceConfig postgres, DebeziumTopicsConfig debeziumTopics) {

    public SourceConfig {
        if (postgres == null) {
            throw InvalidFieldException.missing("postgres", "{host: localhost, database: app, user: warmer}; beside"
                    + " debezium-topics a read-only user does, which readiness and verify compare Redis with");
        }
    }

    public SourceConfig(PostgresSourceConfig postgres) {
        this(postgres, null);
    }

    /** Whether changes come from an existing Debezium deployment's topics rather than Warmer's own capture. */
    public boolean fromDebeziumTopics() {
        return debeziumTopics != null;
    }

    SourceConfig resolve(Secrets secrets) {
        return new SourceConfig(postgres.resolve(secrets), debeziumTopics);
    }
}
