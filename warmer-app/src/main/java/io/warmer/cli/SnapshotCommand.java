package io.warmer.cli;

import io.warmer.capture.snapshot.SnapshotProgress;
import io.warmer.capture.snapshot.SnapshotProgressReader;
import io.warmer.capture.snapshot.SnapshotRequests;
import io.warmer.change.TableId;
import io.warmer.config.Durations;
import io.warmer.config.FamilyConfig;
import io.warmer.config.WarmerConfig;
import io.warmer.console.ProgressLine;
import io.warmer.kafka.KafkaClients;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code warmer snapshot}: reads tables again, whole, with newer versions, and then removes the keys of their
 * families that no row accounts for. It repairs drift {@code warmer verify} found. The running capture does the
 * work: this command asks it on {@code <prefix>.snapshots} and waits until it is done.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = {"Snapshot tables again: every row is written with a newer version, and keys of the tables'"
                + " families that no row accounts for are removed. Repairs drift `warmer verify` found. The capture"
                + " that runs for this configuration does it; this command asks and waits.",
                "Example: warmer snapshot --config warmer.yml --table public.users"})
final class SnapshotCommand implements Callable<Integer> {

    static final Duration POLL = Duration.ofSeconds(1);

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--table", description = "A captured table, schema.table (repeatable).")
    List<String> tables = new ArrayList<>();

    @Option(names = "--family", description = "Every table a family reads: its own and the joined ones (repeatable).")
    List<String> families = new ArrayList<>();

    @Option(names = "--no-wait", description = "Ask for the snapshot and return at once.")
    boolean noWait;

    @Option(names = "--timeout", description = "How long to wait for the snapshots to complete (default: 1h).")
    Duration timeout = Duration.ofHours(1);

    @Override
    public Integer call() throws Exception {
        Duration limit = timeout;
        WarmerConfig loaded = config.load();
        Set<TableId> chosen = chosenTables(loaded);
        PrintWriter out = spec.commandLine().getOut();
        KafkaClients bootstrap = loaded.kafka().clients();
        Map<TableId, String> requested = SnapshotRequests.ask(bootstrap, loaded.kafka().topicPrefix(),
                loaded.kafka().replicationFactor(), chosen);
        out.printf("warmer: asked the capture to snapshot %s%n", chosen);
        out.flush();
        if (noWait) {
            return ExitCodes.OK;
        }
        ProgressLine progress = ProgressLine.on(out);
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Map<TableId, SnapshotProgress> now = SnapshotProgressReader.read(bootstrap, loaded.kafka().topicPrefix());
            List<String> states = new ArrayList<>();
            boolean done = true;
            for (var entry : requested.entrySet()) {
                SnapshotProgress p = now.get(entry.getKey());
                boolean ours = p != null && p.snapshot().equals(entry.getValue());
                done &= ours && p.state() == SnapshotProgress.State.SWEPT;
                states.add(entry.getKey() + " " + (!ours ? "waiting for the capture"
                        : p.state().wire() + String.format(", %,d rows", p.rows())));
            }
            if (done) {
                progress.clear();
                for (var entry : requested.entrySet()) {
                    SnapshotProgress p = now.get(entry.getKey());
                    long orphans = p.orphans() == null ? 0 : p.orphans().values().stream().mapToLong(Long::longValue).sum();
                    out.printf("snapshot of %s: done, %,d rows in %,d chunks, %,d keys that no row accounts for removed%n",
                            entry.getKey(), p.rows(), p.chunks(), orphans);
                }
                out.flush();
                return ExitCodes.OK;
            }
            if (System.nanoTime() > deadline) {
                progress.clear();
                spec.commandLine().getErr().printf("error: the snapshot did not complete within %s (%s); is a capture"
                        + " (warmer run) running for this configuration? `warmer status` shows it.%n",
                        Durations.format(limit), String.join("; ", states));
                return ExitCodes.NOT_MET;
            }
            progress.update("snapshot: " + String.join("; ", states));
            TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
        }
    }


    private Set<TableId> chosenTables(WarmerConfig loaded) {
        if (tables.isEmpty() && families.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "name at least one --table or --family");
        }
        Set<TableId> chosen = new LinkedHashSet<>();
        for (String table : tables) {
            TableId id;
            try {
                id = TableId.parse(table);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--table: " + e.getMessage());
            }
            if (!loaded.tables().contains(id)) {
                throw new ParameterException(spec.commandLine(), "--table: " + id + " is not captured by "
                        + config + "; it captures " + loaded.tables());
            }
            chosen.add(id);
        }
        for (String name : families) {
            FamilyConfig family = loaded.family(name, config.toString());
            chosen.add(family.table());
            chosen.addAll(family.joinedTables());
        }
        return chosen;
    }
}
