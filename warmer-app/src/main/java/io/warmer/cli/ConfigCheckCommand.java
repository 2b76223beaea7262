package io.warmer.cli;

import io.warmer.capture.CaptureException;
import io.warmer.capture.PostgresPreflight;
import io.warmer.capture.rows.TableStorage;
import io.warmer.change.TableId;
import io.warmer.config.FamilyConfig;
import io.warmer.config.SchemaCheck;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
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
        WarmerConfig loaded;
        if (connect) {
            loaded = config.load();
        } else {
            // Validating a file needs no credentials: a CI job checks configurations without them.
            ConfigLoader.Unresolved checked = config.check();
            loaded = checked.config();
            checked.missingSecrets().forEach(secret -> out.println("note: " + secret
                    + "; --connect and `warmer run` will need it"));
        }
        if (connect) {
            loaded.source().requireDatabase("--connect checks tables and columns against the database");
            var schemas = SchemaCheck.preflight(loaded);
            SchemaCheck.verify(loaded, schemas);
            schemas.forEach((table, schema) -> out.printf("table %s: primary key %s, columns %s present%n",
                    table, schema.primaryKey(), loaded.requiredColumns().get(table)));
            toastAdvice(loaded).forEach(out::println);
        }
        out.printf("%s: valid; %d families over %d tables%s%n", config, loaded.families().size(),
                loaded.tables().size(), connect ? ", checked against the database" : "");
        out.flush();
        return ExitCodes.OK;
    }

    private static String them(java.util.Collection<String> columns) {
        return columns.size() == 1 ? "it" : "them";
    }

    /**
     * The tables whose TOASTable columns a family reads, and what REPLICA IDENTITY FULL would change: PostgreSQL
     * leaves an unchanged TOASTed value out of an update under the default identity.
     */
    static List<String> toastAdvice(WarmerConfig config) {
        Map<TableId, TreeSet<String>> read = new TreeMap<>(java.util.Comparator.comparing(TableId::qualified));
        Map<TableId, TreeSet<String>> readers = new TreeMap<>(java.util.Comparator.comparing(TableId::qualified));
        List<String> advice = new ArrayList<>();
        try (Connection connection = PostgresPreflight.open(config.source().postgres().endpoint())) {
            Map<TableId, TableStorage> storage = new java.util.HashMap<>();
            for (TableId table : config.tables()) {
                storage.put(table, TableStorage.of(connection, table));
            }
            for (FamilyConfig family : config.families()) {
                var keyFamily = config.keyFamily(family.name());
                TableStorage main = storage.get(family.table());
                for (String column : main.toastable()) {
                    if (keyFamily.reads(column)) {
                        read.computeIfAbsent(family.table(), t -> new TreeSet<>()).add(column);
                        readers.computeIfAbsent(family.table(), t -> new TreeSet<>()).add(family.name());
                    }
                }
                for (var join : family.join()) {
                    TableStorage joined = storage.get(join.table());
                    for (String column : joined.toastable()) {
                        if (join.columns().isEmpty() || join.columns().contains(column)) {
                            read.computeIfAbsent(join.table(), t -> new TreeSet<>()).add(column);
                            readers.computeIfAbsent(join.table(), t -> new TreeSet<>()).add(family.name());
                        }
                    }
                }
            }
            read.forEach((table, columns) -> advice.add(storage.get(table).fullReplicaIdentity()
                    ? String.format("table %s: REPLICA IDENTITY FULL, so updates send TOASTable column%s %s (read by %s)"
                    + " whole", table, columns.size() == 1 ? "" : "s", String.join(", ", columns),
                    String.join(", ", readers.get(table)))
                    : String.format("table %s: %s %s TOASTable column%s %s, which an update that leaves %s unchanged"
                    + " does not send under REPLICA IDENTITY DEFAULT; Warmer fills %s in from the values it has seen"
                    + " for the row, and deletes the row's keys when it has seen none. ALTER TABLE %s REPLICA IDENTITY"
                    + " FULL would send %s with every update (at the cost of writing the whole old row to the WAL with"
                    + " each update)", table, readers.get(table).size() == 1 ? "family" : "families",
                    String.join(", ", readers.get(table)) + (readers.get(table).size() == 1 ? " reads" : " read"),
                    columns.size() == 1 ? "" : "s", String.join(", ", columns), them(columns), them(columns), table,
                    them(columns))));
        } catch (SQLException e) {
            throw new CaptureException("PostgreSQL at " + config.source().postgres().endpoint().address()
                    + " could not tell how its tables store their columns: " + e.getMessage(), e);
        }
        return advice;
    }
}
