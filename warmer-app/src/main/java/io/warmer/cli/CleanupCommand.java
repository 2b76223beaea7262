package io.warmer.cli;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.warmer.change.RowChangeCodec;
import io.warmer.config.WarmerConfig;
import io.warmer.console.ProgressLine;
import io.warmer.sink.FencedWrites;
import io.warmer.verify.RedisReader;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warmer cleanup}: after the rollback window, removes the old key generation with UNLINK at a
 * bounded rate (SCAN, never KEYS), so that it does not sit in memory until its TTL and does not stall
 * the Redis production reads from.
 */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = {"Remove every key matching --pattern (and its fencing version key) with UNLINK, at most"
                + " --rate keys per second. --dry-run only counts.",
                "Example: warmer cleanup --config warmer.yml --pattern 'user:*:profile' --rate 5000/s"})
final class CleanupCommand implements Callable<Integer> {

    /** Keys asked of SCAN per call, and unlinked per command. */
    static final int BATCH = 500;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--pattern", required = true, description = "A Redis glob pattern, e.g. 'user:*:profile'.")
    String pattern;

    @Option(names = "--rate", description = "Keys per second at most, e.g. 5000/s (default: " + KeyRate.DEFAULT + ").")
    String rate = KeyRate.DEFAULT;

    @Option(names = "--dry-run", description = "Count the matching keys; remove nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    /** @param removed false for a dry run, which only counts */
    record Report(String pattern, long matched, boolean removed, double seconds, double keysPerSecond) {
    }

    @Override
    public Integer call() throws Exception {
        KeyRate keyRate = KeyRate.parse(rate, spec.commandLine());
        if (pattern.isBlank() || pattern.equals("*")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--pattern: found '" + pattern + "', expected a pattern that names one key generation, e.g. 'user:*:profile'");
        }
        WarmerConfig loaded = config.load();
        PrintWriter out = spec.commandLine().getOut();
        long matched = 0;
        // With --json, standard output carries only the report.
        ProgressLine progress = ProgressLine.on(json ? spec.commandLine().getErr() : out);
        try (RedisReader redis = RedisReader.connect(loaded.redis())) {
            long started = System.nanoTime(); // once connected: the rate is that of the commands
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.commands().scan(cursor, ScanArgs.Builder.matches(pattern).limit(BATCH));
                List<String> keys = page.getKeys();
                if (!keys.isEmpty()) {
                    matched += keys.size();
                    if (!dryRun) {
                        List<String> withVersions = new ArrayList<>(keys);
                        keys.forEach(k -> withVersions.add(FencedWrites.versionKeyOf(k)));
                        redis.commands().unlink(withVersions.toArray(String[]::new));
                        keyRate.throttle(matched, started);
                    }
                    progress.update(String.format("cleanup: %s %,d keys matching '%s' so far", dryRun ? "found"
                            : "removed", matched, pattern));
                }
                cursor = page;
            } while (!cursor.isFinished());
            double seconds = (System.nanoTime() - started) / 1e9;
            Report report = new Report(pattern, matched, !dryRun, seconds, seconds > 0 ? matched / seconds : 0);
            String summary = String.format("cleanup: %s %,d keys matching '%s' in %.1f s", dryRun ? "would remove"
                    : "removed", matched, pattern, seconds);
            progress.finish(summary);
            if (json) {
                out.println(RowChangeCodec.json().writeValueAsString(report));
                out.flush();
            }
        }
        return ExitCodes.OK;
    }
}
