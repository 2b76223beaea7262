package io.warmer.cli;

import io.warmer.change.RowChangeCodec;
import io.warmer.config.Durations;
import io.warmer.config.FamilyConfig;
import io.warmer.config.WarmerConfig;
import io.warmer.console.ProgressLine;
import io.warmer.guard.MemoryEstimate;
import io.warmer.service.ReplayProgress;
import io.warmer.service.WarmerService;
import io.warmer.status.PublishedCounters;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import java.time.Duration;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warmer replay}: rebuilds families' keys from the compacted change topics with a fresh
 * consumer group, beside the live service and without disturbing it (fencing refuses anything older
 * than what Redis holds); with {@code --target-prefix}, builds the next key version before its deploy.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Rebuild a keyspace from the change topics (from offset 0, with a fresh consumer group) until"
                + " caught up with the topics' end at start, then report rows/s and exit.",
                "Example: warmer replay --config warmer.yml --family user-profile-v2 --target-prefix v3"})
final class ReplayCommand implements Callable<Integer> {

    static final String DEFAULT_TIMEOUT = "1h";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--family", description = "Only this family (default: every family).")
    String family;

    @Option(names = "--target-prefix", description = "Write under this first key segment instead, e.g. v3 for v2:user:$${id}.")
    String targetPrefix;

    @Option(names = "--timeout", description = "Give up after this long (default: " + DEFAULT_TIMEOUT + ").")
    Duration timeout = Durations.parse(DEFAULT_TIMEOUT);

    @Option(names = "--json", description = "Print the final report as JSON.")
    boolean json;

    /** What a finished replay reports. */
    record Report(long records, double seconds, double recordsPerSecond, long written, long deleted, long fenced) {
    }

    /**
     * How often the replay looks whether its group has committed the topics' end: often, because the report's time
     * ends at the look that sees it (a short replay's rate would otherwise lose up to a whole interval).
     */
    static final long CHECK_INTERVAL_MS = 200;

    @Override
    public Integer call() throws Exception {
        WarmerConfig loaded = config.load();
        WarmerConfig replay = replayConfig(loaded);
        PrintWriter out = spec.commandLine().getOut();
        long deadline = System.nanoTime() + timeout.toNanos();
        // With --json, standard output carries only the report.
        PrintWriter info = json ? spec.commandLine().getErr() : out;
        try (Redis redis = Redis.of(replay.redis())) {
            return replay(replay, redis, out, info, deadline);
        }
    }

    private int replay(WarmerConfig replay, Redis redis, PrintWriter out, PrintWriter info, long deadline) throws Exception {
        MemoryEstimate.linesBeforeWriting(replay, redis).forEach(info::println);
        info.flush();
        long started = System.nanoTime();
        ProgressLine progressLine = ProgressLine.on(info);
        try (WarmerService replayer = WarmerService.replay(replay, redis);
             ReplayProgress progress = replayer.replayProgress()) {
            var end = progress.marks();
            long behind;
            while ((behind = progress.behind()) > 0 || !progress.done()) { // done() once behind() reached 0
                if (replayer.failure().isDone()) {
                    spec.commandLine().getErr().println("error: the replay stopped on an error; see the log.");
                    return ExitCodes.UNAVAILABLE;
                }
                if (System.nanoTime() > deadline) {
                    spec.commandLine().getErr().printf("error: the replay was still %,d records behind after %s%n", behind, Durations.format(timeout));
                    return ExitCodes.NOT_MET;
                }
                progressLine.update(String.format("replay: %s, %,d keys written, %,d fenced%s", behind > 0
                                ? String.format("%,d records to go", behind) : "writing the joined families' values",
                        replayer.counters().puts(), replayer.counters().fenced(), ServiceLoop.evictionNote(replayer)));
                Thread.sleep(CHECK_INTERVAL_MS);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long records = end.values().stream().mapToLong(Long::longValue).sum();
            var counters = replayer.counters();
            Report report = new Report(records, seconds, records / seconds, counters.puts(), counters.deletes(),
                    counters.fenced());
            if (json) {
                progressLine.finish("replay: caught up");
                out.println(RowChangeCodec.json().writeValueAsString(report));
                out.flush();
            } else {
                progressLine.finish(String.format("replay: caught up; %,d keys written, %,d deleted, %,d fenced as older"
                                + " than Redis in %.1f s (%,.0f records/s)", report.written(), report.deleted(),
                        report.fenced(), seconds, report.recordsPerSecond()));
            }
            return ExitCodes.OK;
        } finally {
            forgetCounters(replay, redis);
        }
    }

    /** A replay's consumer group is used once: its published counters would only litter Redis. */
    private static void forgetCounters(WarmerConfig replay, Redis process) {
        try (RedisConnection<String, String> redis = process.connect()) {
            redis.sync().unlink(PublishedCounters.keyOf(replay.kafka().applicationId()));
        } catch (Exception e) {
            LoggerFactory.getLogger(ReplayCommand.class).debug("Left the replay's counters in Redis: {}", e.getMessage());
        }
    }

    private WarmerConfig replayConfig(WarmerConfig loaded) {
        List<FamilyConfig> families = family == null ? loaded.families() : List.of(loaded.family(family, config.toString()));
        if (targetPrefix != null) {
            try {
                families = families.stream()
                        .map(f -> f.withKeys(f.key().stream().map(k -> k.withFirstSegment(targetPrefix)).toList())).toList();
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--target-prefix: " + e.getMessage());
            }
        }
        String group = loaded.kafka().applicationId() + "-replay-" + System.currentTimeMillis();
        return loaded.with(loaded.kafka().withApplicationId(group), families);
    }
}
