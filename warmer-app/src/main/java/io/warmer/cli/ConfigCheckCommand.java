package io.warmer.cli;

import io.warmer.capture.PostgresPreflight;
import io.warmer.config.PostgresSourceConfig;
import io.warmer.config.SchemaCheck;
import io.warmer.config.WarmerConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warmer config check}: validates a configuration without starting anything; with
 * {@code --connect}, also checks the tables and columns against the database.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validate a configuration file: fields, templates, types, durations.",
                "With --connect, also check against PostgreSQL that every table exists with a primary key and"
                        + " every column a family uses exists. Exit 0 when valid, 2 when not, 3 when PostgreSQL cannot be checked."})
final class ConfigCheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--connect", description = "Also check tables and columns against the database.")
    boolean connect;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        WarmerConfig loaded = config.load();
        if (connect) {
            PostgresSourceConfig pg = loaded.source().postgres();
            var schemas = PostgresPreflight.check(
                    pg.endpoint(),
                    loaded.tables(), loaded.requiredColumns());
            SchemaCheck.verify(loaded, schemas);
            schemas.forEach((table, schema) -> out.printf("table %s: primary key %s, columns %s present%n",
                    table, schema.primaryKey(), loaded.requiredColumns().get(table)));
        }
        out.printf("%s: valid; %d families over %d tables%s%n", config, loaded.families().size(),
                loaded.tables().size(), connect ? ", checked against the database" : "");
        out.flush();
        return ExitCodes.OK;
    }
}
