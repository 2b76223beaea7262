package io.warmer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.warmer.change.RowChangeCodec;
import io.warmer.config.Durations;
import io.warmer.config.InvalidFieldException;
import io.warmer.config.ReadyTargets;
import io.warmer.config.WarmerConfig;
import io.warmer.console.ProgressLine;
import io.warmer.guard.MemoryEstimate;
import io.warmer.runtime.ServiceMonitoring;
import io.warmer.redis.Redis;
import io.warmer.runtime.WarmerRuntime;
import io.warmer.service.Role;
import io.warmer.service.WarmerService;
import io.warmer.monitor.WarmupGate;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warmer warmup}: the pre-deploy gate. Captures and materializes until the new keyspace is
 * ready, then exits 0 (or keeps serving with {@code --then-run}); on timeout exits 1 with what is missing.
 */
@Command(name = "warmup", mixinStandardHelpOptions = true,
        description = {"Warm the keyspace and exit 0 once, for every family, the snapshot is done, the lag is at most"
                + " --max-lag and the coverage (keys present among the rows that should have one, on a random sample)"
                + " reaches --min-coverage. Exit 1 on --timeout with a per-family report; with --then-run, keep"
                + " serving as `warmer run` instead of exiting."})
final class WarmupCommand implements Callable<Integer> {

    static final String DEFAULT_TIMEOUT = "30m";
    /** How often readiness is measured. */
    static final long CHECK_INTERVAL_MS = 2_000;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--min-coverage", description = "Coverage every family must reach, a share from 0 to 1 (default: ${DEFAULT-VALUE}).")
    double minCoverage = ReadyTargets.WARMUP_DEFAULTS.minCoverage();

    @Option(names = "--max-lag", description = "Change records the materializer may still be behind (default: ${DEFAULT-VALUE}).")
    long maxLag = ReadyTargets.WARMUP_DEFAULTS.maxLag();

    @Option(names = "--timeout", description = "Give up after this long, e.g. 30m (default: " + DEFAULT_TIMEOUT + ").")
    Duration timeout = Durations.parse(DEFAULT_TIMEOUT);

    @Option(names = "--sample", description = "Rows per family the coverage is measured on (default: ${DEFAULT-VALUE}).")
    int sample = ReadyTargets.WARMUP_DEFAULTS.sample();

    @Option(names = "--then-run", description = "Once ready, keep serving like `warmer run` instead of exiting.")
    boolean thenRun;

    @Option(names = "--reads", description = {"A file of recorded application reads of old-format keys (one key a line,"
            + " or `redis-cli MONITOR` output), as for `warmer verify --reads`: the projected hit rate is reported."})
    Path reads;

    @Option(names = "--min-projected-hit-rate", description = "With --reads: also wait until this share of them would"
            + " hit the new keys, e.g. 0.99.")
    Double minProjectedHitRate;

    @Option(names = "--json", description = "Print the final status as JSON.")
    boolean json;

    @Mixin
    HttpOption http;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (minProjectedHitRate != null && reads == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--min-projected-hit-rate needs --reads FILE: the recorded reads it is measured on");
        }
        WarmupGate.Targets targets = targets();
        WarmerConfig loaded = config.load();
        loaded = loaded.with(http.apply(loaded.http()));
        Duration limit = timeout;
        // With --json, standard output carries only the report.
        PrintWriter info = json ? spec.commandLine().getErr() : out;
        Redis redis = Redis.of(loaded.redis());
        try {
            MemoryEstimate.linesBeforeWriting(loaded, redis).forEach(info::println);
        } catch (RuntimeException | SQLException e) {
            redis.close();
            throw e;
        }
        info.flush();
        // /ready answers exactly what this command waits for: the same checks, with these targets.
        WarmerRuntime runtime = WarmerRuntime.start(loaded, redis, Role.ALL, targets, Duration.ofMillis(CHECK_INTERVAL_MS));
        WarmerService service = runtime.service();
        ServiceMonitoring monitoring = runtime.monitoring();
        ServiceLoop.printAddress(monitoring, info);
        info.flush();
        long deadline = System.nanoTime() + limit.toNanos();
        WarmupGate.Status status = null;
        ProgressLine progressLine = ProgressLine.on(info);
        try {
            while (!service.failure().isDone() && System.nanoTime() < deadline) {
                long wait = Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(4 * CHECK_INTERVAL_MS));
                try {
                    status = monitoring.monitor().nextCheck().get(Math.max(0, wait), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    status = monitoring.monitor().lastCheck();
                }
                if (status != null && status.ready()) {
                    break;
                }
                String checkError = monitoring.monitor().checkError();
                progressLine.update("warmup: " + (status == null ? "waiting for the first check" : describe(status))
                        + (checkError == null ? "" : "; the last check failed: " + checkError)
                        + ServiceLoop.evictionNote(service));
            }
        } catch (RuntimeException | InterruptedException | ExecutionException e) {
            runtime.close();
            throw e;
        }
        progressLine.clear();
        boolean ready = status != null && status.ready();
        if (status != null) {
            report(out, status);
        }
        if (!ready) {
            String checkError = monitoring.monitor().checkError();
            runtime.close();
            spec.commandLine().getErr().println(service.failure().isDone() ? "error: warmer stopped on an error; see the log."
                    : "error: not ready after " + Durations.format(limit) + ": "
                    + (status == null ? "no check completed" + (checkError == null ? "" : ": " + checkError)
                    : describe(status)) + ServiceLoop.evictionNote(service));
            spec.commandLine().getErr().flush();
            return service.failure().isDone() ? ExitCodes.UNAVAILABLE : ExitCodes.NOT_MET;
        }
        if (!thenRun) {
            runtime.close();
            return ExitCodes.OK;
        }
        out.println("warmup: ready; serving on (SIGTERM or Ctrl-C stops).");
        out.flush();
        return ServiceLoop.runUntilStopped(runtime, out, spec.commandLine().getErr());
    }

    /** The options as targets, validated as {@code http.ready} is: a bad value is a usage error naming its option. */
    private WarmupGate.Targets targets() {
        ReadyTargets ready;
        try {
            ready = new ReadyTargets(minCoverage, maxLag, sample);
        } catch (InvalidFieldException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--" + e.field() + ": " + e.getMessage());
        }
        try {
            return new WarmupGate.Targets(ready, ReadsFile.load(spec, reads), minProjectedHitRate);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--min-projected-hit-rate: " + e.getMessage());
        }
    }

    private void report(PrintWriter out, WarmupGate.Status status) throws JsonProcessingException {
        if (json) {
            out.println(RowChangeCodec.json().writeValueAsString(status));
        } else {
            for (WarmupGate.FamilyReadiness family : status.families()) {
                out.printf("%s: %s, lag %s%s%n", family.family(), family.coverage() == null ? "coverage not measured"
                                : String.format("coverage %.2f%% (%,d of %,d sampled rows' keys missing, %,d stale)",
                                100 * family.coverage(), family.missing(), family.checked(), family.stale()),
                        family.lag() == null ? "unknown" : family.lag(),
                        family.ready() ? "" : "; waiting for " + family.waitingFor());
            }
            if (status.projected() != null) {
                out.println(status.projected().describe());
            }
            if (status.unjudged() != null) {
                out.println("warmup: not judged: " + status.unjudged());
            }
            out.println("warmup: " + (status.ready() ? "ready; " : "NOT ready; ") + describe(status));
        }
        out.flush();
    }

    private String describe(WarmupGate.Status status) {
        String coverage = status.unjudged() != null ? "not measured" : status.families().stream()
                .map(f -> f.family() + " " + (f.coverage() == null ? "?" : String.format("%.2f%%", 100 * f.coverage())))
                .collect(Collectors.joining(", "));
        if (!status.snapshotDone()) {
            return "snapshot running, lag " + status.lag() + ", coverage " + coverage;
        }
        String projected = status.projected() == null ? "" : String.format(", projected hit rate %.2f%%%s",
                100 * status.projected().hitRate(), minProjectedHitRate == null ? ""
                        : String.format(" (target %.2f%%)", 100 * minProjectedHitRate));
        return "lag " + status.lag() + " (target " + maxLag + "), coverage " + coverage + " (target " + String.format("%.2f%%", 100 * minCoverage) + ")" + projected;
    }
}
