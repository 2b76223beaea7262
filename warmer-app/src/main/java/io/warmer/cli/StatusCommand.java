package io.warmer.cli;

import io.warmer.change.RowChangeCodec;
import io.warmer.config.Durations;
import io.warmer.config.WarmerConfig;
import io.warmer.redis.Redis;
import io.warmer.status.StatusProbe;
import io.warmer.status.StatusReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code warmer status}: one screen that says, per family, where the pipeline is. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Per family: the capture's snapshot state, the materializer's lag, the coverage (keys present"
                + " among a random sample of rows), the write rate and totals of every process of this application,"
                + " the fenced writes and the dead-lettered events. Reads only; runs anywhere the servers are reachable.",
                "Exit 0 when it could look, 3 when Kafka or Redis is unreachable."})
final class StatusCommand implements Callable<Integer> {

    static final int DEFAULT_SAMPLE = 200;
    static final String DEFAULT_WINDOW = "3s";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--sample", description = "Rows per family the coverage is measured on; 0 skips it and the"
            + " database (default: " + DEFAULT_SAMPLE + ").")
    int sample = DEFAULT_SAMPLE;

    @Option(names = "--window", description = "How long the write rate is measured over (default: " + DEFAULT_WINDOW + ").")
    Duration window = Durations.parse(DEFAULT_WINDOW);

    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Duration over = window;
        WarmerConfig loaded = config.load();
        StatusReport report;
        try (Redis redis = Redis.of(loaded.redis())) {
            report = new StatusProbe(loaded, redis).look(sample, over);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(RowChangeCodec.json().writeValueAsString(report));
        } else {
            print(out, report);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void print(PrintWriter out, StatusReport report) {
        out.printf("application %s, capture: %s%n", report.applicationId(), report.capture().text());
        if (report.rewarm() != null) {
            out.printf("rewarming after Redis lost its data: %s%n", report.rewarm());
        }
        for (StatusReport.TableSnapshot table : report.snapshots()) {
            out.printf("snapshot of %s: %s, %,d rows in %,d chunks%s%n", table.table(), table.state(), table.rows(),
                    table.chunks(), table.orphans() == null ? "" : String.format(", %,d orphan keys removed", table.orphans()));
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"family", "lag", "coverage", "writes/s", "written", "deleted", "fenced", "dead-lettered"});
        for (StatusReport.Family f : report.families()) {
            rows.add(new String[] {f.name(), f.lag() == null ? "n/a" : String.format("%,d", f.lag()),
                    f.coverage() == null ? "n/a" : String.format("%.2f%%", 100 * f.coverage()),
                    String.format("%,.1f", f.writesPerSecond()), String.format("%,d", f.written()),
                    String.format("%,d", f.deleted()), String.format("%,d", f.fenced()),
                    String.format("%,d", f.deadLettered())});
        }
        int[] widths = new int[rows.get(0).length];
        rows.forEach(r -> {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        });
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(String.format("%-" + widths[0] + "s", row[0]));
            for (int i = 1; i < row.length; i++) {
                line.append("  ").append(String.format("%" + widths[i] + "s", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        for (StatusReport.Family f : report.families()) {
            if (f.backfill() != null) {
                out.printf("family %s is backfilling from the change topics: %,d records to go%n", f.name(), f.backfill());
            }
            if (f.broken() != null) {
                out.printf("family %s is broken: %s%n", f.name(), f.broken());
            }
        }
        Long unattributed = report.deadLettered().get("(none)");
        if (unattributed != null) {
            out.printf("dead-lettered before any family could read them: %,d%n", unattributed);
        }
        report.notes().forEach(note -> out.println("note: " + note));
    }
}
