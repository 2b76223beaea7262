package io.warmer.bench;

import io.warmer.embedded.OrphanGuard;
import io.warmer.embedded.StopSignal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * W2: steady updates at a fixed rate ({@code pgbench -R}) while {@code warmer run} streams them, and the
 * latency from each update to its value in Redis ({@link KeyspaceLatency}). The interval starts at
 * {@code clock_timestamp()} inside the UPDATE (just before its commit) and ends when the benchmark has read
 * the new value after Redis announced the SET: WAL, Debezium, Kafka (acks=all), Streams, the fenced
 * write's acknowledgement, plus one notification and one GET on this machine.
 */
final class LatencyWorkload {

    /** The window at the start and at the end of a run whose p99s tell whether lag grows. */
    static final int EDGE_SECONDS = 10;
    /** After pgbench ends, how long without a new value means every update has arrived. */
    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);
    static final long DRAIN_LIMIT_SECONDS = 60;

    /** Per second of one rate's run: latency percentiles (ms) of the values recorded in that second. */
    record Second(double seconds, double p50, double p99, double p999, long count) {
    }

    /** One rate's outcome, for the chart. */
    record Outcome(int rate, List<Second> seconds) {
    }

    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");
    private static final Pattern SCHEDULE_LAG = Pattern.compile("rate limit schedule lag: avg ([0-9.]+) \\(max ([0-9.]+)\\) ms");

    private LatencyWorkload() {
    }

    static Outcome run(BenchServers servers, SuiteSettings settings, Results results, int rate) throws Exception {
        Path script = settings.work().resolve("w2-update.sql");
        Files.writeString(script, """
                \\set id random(1, %d)
                UPDATE users SET touched_us = (extract(epoch FROM clock_timestamp()) * 1000000)::bigint WHERE id = :id;
                """.formatted(settings.rows()));
        Path pgbenchOut = settings.work().resolve("w2-pgbench-" + rate + ".out");
        List<Second> seconds = new ArrayList<>();
        Histogram total = new Histogram(KeyspaceLatency.MAX_MICROS, 3);
        Histogram first = new Histogram(KeyspaceLatency.MAX_MICROS, 3);
        Histogram last = new Histogram(KeyspaceLatency.MAX_MICROS, 3);
        int edge = Math.max(1, Math.min(EDGE_SECONDS, settings.w2Seconds() / 3));
        List<Histogram> perSecond = new ArrayList<>();
        long drainNanos;
        try (KeyspaceLatency latency = KeyspaceLatency.subscribe(servers.redis.uri(), BenchConfig.KEY_PREFIX + ":user:*")) {
            Process pgbench = pgbench(servers, settings, script, rate, pgbenchOut);
            OrphanGuard guard = OrphanGuard.watch("pgbench", pgbench.toHandle(), StopSignal.TERM);
            long start = System.nanoTime();
            long pgbenchEnd = 0;
            while (true) {
                Thread.sleep(1_000);
                Histogram h = latency.interval();
                total.add(h);
                double t = (System.nanoTime() - start) / 1e9;
                seconds.add(new Second(t, ms(h, 50), ms(h, 99), ms(h, 99.9), h.getTotalCount()));
                if (pgbenchEnd == 0) {
                    perSecond.add(h);
                    if (!pgbench.isAlive()) {
                        pgbenchEnd = System.nanoTime();
                    }
                } else if (System.nanoTime() - latency.lastRecordNanos() > QUIET_NANOS
                        || System.nanoTime() - pgbenchEnd > TimeUnit.SECONDS.toNanos(DRAIN_LIMIT_SECONDS)) {
                    break;
                }
            }
            guard.close();
            drainNanos = Math.max(0, latency.lastRecordNanos() - pgbenchEnd);
            if (pgbench.exitValue() != 0) {
                throw new IllegalStateException("pgbench failed (exit " + pgbench.exitValue() + "); see " + pgbenchOut);
            }
            // Seconds before the first value arrived say nothing about lag; the last second sampled may have
            // been cut by pgbench's end: both stay out of the edge windows.
            int from = 0;
            while (from < perSecond.size() - 1 && perSecond.get(from).getTotalCount() == 0) {
                from++;
            }
            int usable = Math.max(from + 1, perSecond.size() - 1);
            perSecond.subList(from, Math.min(from + edge, usable)).forEach(first::add);
            perSecond.subList(Math.max(from, usable - edge), usable).forEach(last::add);
            report(results, rate, total, first, last, drainNanos / 1e9, latency.recorded(),
                    Files.readString(pgbenchOut), settings);
        }
        return new Outcome(rate, seconds);
    }

    private static void report(Results results, int rate, Histogram total, Histogram first, Histogram last,
                               double drainSeconds, long recorded, String pgbench, SuiteSettings settings) {
        String name = "w2_" + rate;
        long processed = group(PROCESSED, pgbench, 1).map(Long::parseLong).orElse(0L);
        double tps = group(TPS, pgbench, 1).map(Double::parseDouble).orElse(0.0);
        double p50 = ms(total, 50);
        double p99 = ms(total, 99);
        double p999 = ms(total, 99.9);
        double firstP99 = ms(first, 99);
        double lastP99 = ms(last, 99);
        results.result(name + "_updates", processed);
        results.result(name + "_updates_per_second", Math.round(tps));
        group(SCHEDULE_LAG, pgbench, 2).ifPresent(max -> results.result(name + "_pgbench_schedule_lag_max_ms",
                Double.parseDouble(max)));
        results.result(name + "_values_seen", recorded);
        results.result(name + "_p50_ms", p50);
        results.result(name + "_p99_ms", p99);
        results.result(name + "_p999_ms", p999);
        results.result(name + "_max_ms", total.getMaxValue() / 1000.0);
        results.result(name + "_lag_start_p99_ms", firstP99);
        results.result(name + "_lag_end_p99_ms", lastP99);
        results.result(name + "_drain_seconds", Math.round(drainSeconds * 10) / 10.0);
        boolean flat = lastP99 <= 2 * firstP99 + 25 && drainSeconds < 5;
        boolean met = p50 < 50 && p99 < 250 && flat;
        results.row(String.format(Locale.ROOT, "W2 updates at %,d/s, %d s", rate, settings.w2Seconds()),
                String.format(Locale.ROOT, "p50 %.1f / p99 %.1f / p99.9 %.1f ms", p50, p99, p999),
                String.format(Locale.ROOT, "pgbench %,.0f tx/s; %,d values seen", tps, recorded),
                String.format(Locale.ROOT, "p99 first→last %d s: %.0f→%.0f ms; drain %.1f s", Math.min(EDGE_SECONDS,
                        Math.max(1, settings.w2Seconds() / 3)), firstP99, lastP99, drainSeconds),
                "p50 < 50 ms, p99 < 250 ms, no growing lag", Results.Met.of(met));
    }

    private static Process pgbench(BenchServers servers, SuiteSettings settings, Path script, int rate, Path out)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(settings.pgbench().toString(), "-n",
                "-h", servers.postgres.host(), "-p", Integer.toString(servers.postgres.port()),
                "-U", servers.postgres.user(), "-f", script.toString(), "-R", Integer.toString(rate),
                "-T", Integer.toString(settings.w2Seconds()), "-c", "4", "-j", "2", servers.postgres.database())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        builder.environment().put("PGPASSWORD", servers.postgres.password());
        return builder.start();
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : Math.round(h.getValueAtPercentile(percentile) / 100.0) / 10.0;
    }

    private static java.util.Optional<String> group(Pattern pattern, String text, int group) {
        Matcher m = pattern.matcher(text);
        return m.find() ? java.util.Optional.of(m.group(group)) : java.util.Optional.empty();
    }
}
