package io.warmer.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One run of the chosen workloads, in order, on one set of servers. */
final class SuiteRun {

    private final SuiteSettings settings;
    private final Results results;

    SuiteRun(SuiteSettings settings, Results results) {
        this.settings = settings;
        this.results = results;
    }

    void run() throws Exception {
        try (BenchServers servers = BenchServers.start(settings.work());
             CpuMonitor cpu = new CpuMonitor(servers.postmasterPid(settings.work()))) {
            results.watch(cpu);
            results.phase("setup");
            boolean table = settings.runs(Workload.W1);
            double copy = Double.NaN;
            if (table) {
                long seeded = System.nanoTime();
                UsersTable.create(servers, settings.rows());
                results.note("seeded %,d rows in %.1f s", settings.rows(), (System.nanoTime() - seeded) / 1e9);
                results.result("users_row_bytes_avg", Math.round(UsersTable.averageRowBytes(servers)));
                copy = UsersTable.copyRowsPerSecond(servers, settings.rows());
                results.result("ceiling pg_copy_rows_per_second", Math.round(copy));
            }
            // The shared script's redis-server daemonizes: its work would count as other work here.
            results.endPhase();
            results.note("measuring the Redis ceilings (redis-benchmark -P 16 -c 4, %,d requests each)",
                    settings.ceilingRequests());
            Map<String, Double> ceilings = Ceilings.measure(settings.redisCeiling(), settings.shapedLua(),
                    settings.work(), settings.ceilingRequests(), 300);
            ceilings.forEach((name, value) -> results.result("ceiling " + name, Math.round(value)));
            double fenced = ceilings.get("evalsha_fenced");

            List<Path> charts = new ArrayList<>();
            double w6Seconds = Double.NaN;
            References.Rates references = null;
            if (table) {
                results.phase("references");
                results.note("W1's references: COPY to pipelined SET, then a Debezium embedded loop to pipelined SET");
                references = References.measure(servers, settings, results);
                results.endPhase();
            }
            if (table) {
                results.phase("W1");
                results.note("W1: snapshot of %,d rows", settings.rows());
                SnapshotWorkload.Outcome w1 = SnapshotWorkload.run(servers, settings, results);
                try (WarmerJvm warmer = w1.warmer()) {
                    w1Rows(w1, ceilings, copy, references);
                    charts.add(Charts.w1(settings.charts(), w1, settings.rows()));
                    if (settings.runs(Workload.W2)) {
                        List<LatencyWorkload.Outcome> w2 = new ArrayList<>();
                        for (int rate : settings.w2Rates()) {
                            results.phase("W2_" + rate);
                            results.note("W2: updates at %,d/s for %d s", rate, settings.w2Seconds());
                            w2.add(LatencyWorkload.run(servers, settings, results, rate));
                        }
                        charts.add(Charts.w2(settings.charts(), w2));
                    }
                    if (settings.runs(Workload.W6)) {
                        results.phase("W6");
                        results.note("W6: FLUSHALL under the running service; it rebuilds the keys by itself");
                        w6Seconds = SnapshotWorkload.rewarm(servers, settings, results, warmer, w1.config());
                    }
                }
                if (settings.runs(Workload.W3)) {
                    results.phase("W3");
                    results.note("W3: replay into a fresh prefix");
                    ReplayWorkload.Replay w3 = ReplayWorkload.w3(servers, settings, results, w1.config(), fenced);
                    memoryRow("W3", w3.heapMib(), w3.rssMib());
                    if (!Double.isNaN(w6Seconds)) {
                        double ratio = w6Seconds / w3.seconds();
                        results.result("ratio_w6_w3", Math.round(ratio * 1000) / 1000.0);
                        results.row(String.format(Locale.ROOT, "W6 FLUSHALL to ready again, %,d rows", settings.rows()),
                                String.format(Locale.ROOT, "%.1f s", w6Seconds),
                                String.format(Locale.ROOT, "W3 replay %.1f s", w3.seconds()),
                                String.format(Locale.ROOT, "%.2f× W3", ratio), "≤ 1.5× W3",
                                Results.Met.of(ratio <= 1.5));
                    }
                    if (settings.runs(Workload.W4)) {
                        results.phase("W4");
                        results.note("W4: replay again into the same prefix");
                        ReplayWorkload.w4(servers, settings, results, w1.config(), w3);
                    }
                }
                if (settings.runs(Workload.X2)) {
                    results.phase("X2");
                    results.note("X2: one materializer process, then two");
                    ReplayWorkload.instances(servers, settings, results);
                }
            }
            if (settings.runs(Workload.W5)) {
                results.phase("W5");
                results.note("W5: migrate-keys of %,d keys", settings.rows());
                MigrateWorkload.run(servers, settings, results);
            }
            if (settings.runs(Workload.W7)) {
                results.phase("W7");
                results.note("W7: restart of a service joining %,d orders, stores kept against restored",
                        settings.w7Orders());
                RestartWorkload.Outcome w7 = RestartWorkload.run(servers, settings, results);
                double ratio = w7.keptSeconds() / w7.restoredSeconds();
                results.row(String.format(Locale.ROOT, "W7 restart to streaming, %,d-row join", settings.w7Orders()),
                        String.format(Locale.ROOT, "%.1f s with the stores kept", w7.keptSeconds()),
                        String.format(Locale.ROOT, "%.1f s restored from the changelogs", w7.restoredSeconds()),
                        String.format(Locale.ROOT, "%.2f× restored", ratio), "< 1× restored",
                        Results.Met.of(ratio < 1));
            }
            if (settings.runs(Workload.W8)) {
                results.phase("W8");
                results.note("W8: warm-up of %,d customers with their orders joined, against the same rows without the join",
                        settings.w8Customers());
                JoinWarmupWorkload.Outcome w8 = JoinWarmupWorkload.run(servers, settings, results);
                results.row("W8 warm-up with a 1:N join, " + JoinWarmupWorkload.describe(w8),
                        String.format(Locale.ROOT, "%.1f s joined", w8.joinedSeconds()),
                        String.format(Locale.ROOT, "%.1f s without the join", w8.plainSeconds()),
                        String.format(Locale.ROOT, "%.2f× without", w8.ratio()), "≤ 2× without",
                        Results.Met.of(w8.ratio() <= 2));
            }
            results.endPhase();
            charts.forEach(c -> results.note("chart %s", c));
        }
    }

    private void w1Rows(SnapshotWorkload.Outcome w1, Map<String, Double> ceilings, double copy,
                        References.Rates references) {
        double rate = settings.rows() / w1.seconds();
        double fenced = ceilings.get("evalsha_fenced");
        results.result("ratio_w1_evalsha_fenced", Math.round(rate / fenced * 1000) / 1000.0);
        results.result("ratio_w1_ref_copy_set", Math.round(rate / references.copy() * 1000) / 1000.0);
        results.result("ratio_w1_ref_debezium_loop", Math.round(rate / references.debeziumLoop() * 1000) / 1000.0);
        results.row(String.format(Locale.ROOT, "W1 against the references, %,d rows", settings.rows()),
                Results.grouped(rate) + " rows/s",
                String.format(Locale.ROOT, "COPY → pipelined SET %s rows/s; Debezium embedded → pipelined SET %s rows/s",
                        Results.grouped(references.copy()), Results.grouped(references.debeziumLoop())),
                String.format(Locale.ROOT, "%s of COPY→SET; %s of the Debezium loop", Results.ratio(rate / references.copy()),
                        Results.ratio(rate / references.debeziumLoop())),
                "≥ 1.5× the Debezium loop", Results.Met.of(rate >= 1.5 * references.debeziumLoop()));
        results.row(String.format(Locale.ROOT, "W1 snapshot, %,d rows", settings.rows()),
                Results.grouped(rate) + " rows/s",
                String.format(Locale.ROOT, "EVALSHA fenced-write %s/s; SET EX %s/s; COPY %s rows/s",
                        Results.grouped(fenced), Results.grouped(ceilings.getOrDefault("set_ex", Double.NaN)),
                        Results.grouped(copy)),
                Results.ratio(rate / fenced) + " of EVALSHA", "≥ 60,000 rows/s", Results.Met.of(rate >= 60_000));
        memoryRow("W1", w1.warmer().peakHeapMib(), w1.warmer().peakRssMib());
    }

    private void memoryRow(String workload, double heapMib, double rssMib) {
        results.row(String.format(Locale.ROOT, "memory during %s, %,d rows", workload, settings.rows()),
                String.format(Locale.ROOT, "heap peak %.0f MiB, RSS peak %.0f MiB", heapMib, rssMib),
                "-Xmx" + WarmerJvm.MAX_HEAP, "—", "heap ≤ 512 MiB, flat in N (compare runs)",
                Results.Met.of(heapMib <= 512));
    }
}
