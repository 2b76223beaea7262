package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

/** {@code source}: where row changes come from. PostgreSQL today; MySQL/MariaDB are planned. */
public record SourceConfig(PostgresSourceConfig postgres) {
    public SourceConfig {
        require(postgres, "postgres", "{host: localhost, database: app, user: warmer}");
    }
}
