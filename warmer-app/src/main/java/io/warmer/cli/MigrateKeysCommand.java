package io.warmer.cli;

import io.warmer.change.RowChangeCodec;
import io.warmer.config.WarmerConfig;
import io.warmer.console.ProgressLine;
import io.warmer.migrate.InvalidKeyMappingException;
import io.warmer.migrate.KeyMapping;
import io.warmer.migrate.KeyMigration;
import io.warmer.migrate.MigrationReport;
import io.warmer.migrate.RedisKeyspace;
import io.warmer.redis.Redis;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code warmer migrate-keys}: before a deploy that renames keys, copies what exists only in the cache (sessions)
 * to the new names, at a bounded rate, resumable, never over what the CDC path wrote.
 */
@Command(name = "migrate-keys", mixinStandardHelpOptions = true,
        description = {"Copy every key matching --from to the name --to gives it, with its value and remaining TTL"
                + " (SCAN, then DUMP + PTTL and RESTORE), at most --rate keys per second. A key whose new name, or its"
                + " fencing version key, exists is skipped: the CDC path wrote it. The old keys stay (warmer cleanup"
                + " removes them after the rollback window). An interrupted run is resumed by the next one.",
                "Example: warmer migrate-keys --config warmer.yml --from 'user:*:session' --to 'v2:user:$${1}:session'",
                "Exit 0 when every key was looked at, 2 for a bad option or configuration, 3 when Redis is unreachable"
                        + " or fails (run again to resume)."})
final class MigrateKeysCommand implements Callable<Integer> {

    /** Keys whose new name --dry-run shows. */
    static final int EXAMPLES = 5;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--from", required = true, description = "A Redis glob of the keys to copy, e.g. 'user:*:session';"
            + " each * is captured (no ?, [ ] or \\).")
    String from;

    @Option(names = "--to", required = true, description = "Their new names: $${1}, $${2}, ... stand for what the first,"
            + " second, ... * of --from matched, e.g. 'v2:user:$${1}:session'. Every capture must be used.")
    String to;

    @Option(names = "--rate", description = "Keys per second at most, e.g. 5000/s (default: " + KeyRate.DEFAULT + ").")
    KeyRate rate = KeyRate.parse(KeyRate.DEFAULT);

    @Option(names = "--dry-run", description = "Count the matching keys and show what the first few would be called;"
            + " write nothing.")
    boolean dryRun;

    @Option(names = "--restart", description = "Start over instead of resuming an interrupted run of the same"
            + " --from and --to.")
    boolean restart;

    @Option(names = "--json", description = "Print the report as JSON (progress goes to stderr).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        KeyRate keyRate = rate;
        KeyMapping mapping = mapping();
        WarmerConfig loaded = config.load();
        PrintWriter out = spec.commandLine().getOut();
        Display display = new Display(keyRate);
        MigrationReport report;
        try (Redis process = Redis.of(loaded.redis()); RedisKeyspace redis = RedisKeyspace.connect(process)) {
            KeyMigration migration = new KeyMigration(redis, mapping, loaded.redis().writeTimeout());
            report = dryRun ? migration.dryRun(EXAMPLES) : migration.run(restart, display);
        }
        if (!dryRun) {
            display.finish(report);
        }
        if (json) {
            out.println(RowChangeCodec.json().writeValueAsString(report));
        } else if (dryRun) {
            out.printf("migrate-keys: %,d keys match '%s'; nothing written (dry run)%n", report.matched(), report.from());
            report.examples().forEach(example -> out.println("  " + example.from() + " -> " + example.to()));
        }
        out.flush();
        return ExitCodes.OK;
    }

    private KeyMapping mapping() {
        try {
            return KeyMapping.of(from, to);
        } catch (InvalidKeyMappingException e) {
            throw new ParameterException(spec.commandLine(),
                    (e.part() == KeyMapping.Part.FROM ? "--from: " : "--to: ") + e.getMessage());
        }
    }

    /** Shows progress (on stderr with --json, so that stdout is the report alone) and holds the run to --rate. */
    private final class Display implements KeyMigration.Progress {
        private final KeyRate keyRate;
        private final ProgressLine line;
        private long started;
        private long keys;

        Display(KeyRate keyRate) {
            this.keyRate = keyRate;
            this.line = ProgressLine.on(json ? spec.commandLine().getErr() : spec.commandLine().getOut());
        }

        @Override
        public void started(MigrationReport start) {
            started = System.nanoTime();
            if (start.resumed()) {
                line.finish(String.format("migrate-keys: resuming an interrupted run of %s -> %s (%,d keys done);"
                        + " --restart starts over", start.from(), start.to(), start.matched()));
            }
        }

        @Override
        public void batchDone(int batch, MigrationReport soFar) throws InterruptedException {
            keys += batch;
            line.update(counts(soFar));
            keyRate.throttle(keys, started);
        }

        /** The final counts, in place of the progress line. */
        void finish(MigrationReport report) {
            line.finish(counts(report));
        }
    }

    private static String counts(MigrationReport report) {
        return String.format("migrate-keys: %,d copied, %,d skipped (new name already present), %,d expired"
                + " in %.1f s (%,.0f keys/s)%s", report.copied(), report.skipped(), report.expired(), report.seconds(),
                report.keysPerSecond(), report.resumed() ? "; resumed" : "");
    }
}
