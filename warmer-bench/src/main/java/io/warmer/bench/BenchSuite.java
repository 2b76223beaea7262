package io.warmer.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Warmer's benchmark suite (bench/run.sh): starts PostgreSQL, a Kafka broker and Redis on this machine,
 * measures the reference ceilings, runs Warmer in JVMs of its own through the workloads, and prints a
 * table of figure, ceiling, ratio and goal, plus raw {@code result} lines. See docs/benchmarks.md.
 */
@Command(name = "bench/run.sh", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Warmer's benchmark suite: W1 snapshot, W2 update latency, W3/W4 replay, W5 migrate-keys, W6"
                + " rebuild after FLUSHALL, W7 restart with a join, W8 warm-up with a join against without, X2 two materializers against one, with Warmer's heap and RSS, next to Redis and PostgreSQL ceilings"
                + " measured in the same run. Prints raw 'result' lines as it goes and a Markdown table at the end.",
                "Smoke check: bench/run.sh --rows 2000 --w2-seconds 5 --ceiling-requests 100000"})
public final class BenchSuite implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rows", description = "Rows in users, and keys W5 migrates (default: ${DEFAULT-VALUE}).")
    long rows = 1_000_000;

    @Option(names = "--only", split = ",", description = "Workloads to run, e.g. W1,W3 (default: all). W2, W3 and X2"
            + " run W1 first; W4 and W6 run W3 too (W6 is compared with it).")
    List<String> only = List.of();

    @Option(names = "--w7-orders", description = "Orders joined to customers in W7 (default: ${DEFAULT-VALUE}).")
    long w7Orders = 300_000;

    @Option(names = "--w8-customers", description = "Customers in W8's joined warm-up, each with three orders"
            + " (default: ${DEFAULT-VALUE}).")
    long w8Customers = 100_000;

    @Option(names = "--w2-seconds", description = "How long each W2 rate runs (default: ${DEFAULT-VALUE}).")
    int w2Seconds = 300;

    @Option(names = "--w2-rates", split = ",", description = "W2's update rates per second (default: 1000,5000).")
    List<Integer> w2Rates = List.of(1_000, 5_000);

    @Option(names = "--verify-sample", description = "Rows W1 checks against the database, rows W4 digests"
            + " (default: ${DEFAULT-VALUE}).")
    int verifySample = 10_000;

    @Option(names = "--naive-keys", description = "Keys the seed's GET/SET/EXPIRE loop migrates in W5"
            + " (default: ${DEFAULT-VALUE}).")
    int naiveKeys = 20_000;

    @Option(names = "--ceiling-requests", description = "Requests per redis-benchmark ceiling (default: ${DEFAULT-VALUE}).")
    long ceilingRequests = 1_000_000;

    @Option(names = "--charts", description = "Directory for the PNG charts (default: the run's directory;"
            + " docs/bench for the figures in docs/benchmarks.md).")
    Path charts;

    @Option(names = "--work", description = "Parent of the run's directory (default: ${DEFAULT-VALUE}).")
    Path workParent = Path.of(".warmer", "bench");

    @Option(names = "--keep-data", description = "Keep the servers' data directories after a successful run.")
    boolean keepData;

    @Option(names = "--warmer-app", description = "warmer-app/target with the packaged jar and lib/"
            + " (default: ${DEFAULT-VALUE}).")
    Path warmerApp = Path.of("warmer-app", "target");

    @Option(names = "--redis-ceiling", description = "The shared redis-ceiling.sh (default: ${DEFAULT-VALUE}).")
    Path redisCeiling = Path.of("..", "shared", "bench", "redis-ceiling.sh");

    @Option(names = "--shaped-lua", description = "redis-ceiling.sh's --lua script (default: ${DEFAULT-VALUE}).")
    Path shapedLua = Path.of("bench", "fenced-write-ceiling.lua");

    @Option(names = "--pgbench", description = "pgbench (default: ${DEFAULT-VALUE}).")
    Path pgbench = Path.of("/usr/lib/postgresql/15/bin/pgbench");

    @Option(names = "--label", description = "What is measured, e.g. the commit, for the header line.")
    String label = "";

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new BenchSuite()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Set<Workload> chosen = only.isEmpty() ? EnumSet.allOf(Workload.class)
                : only.stream().map(Workload::parse).collect(Collectors.toCollection(() -> EnumSet.noneOf(Workload.class)));
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path work = Files.createDirectories(workParent.resolve("run-" + stamp)).toAbsolutePath();
        SuiteSettings settings = new SuiteSettings(rows, w7Orders, w8Customers, Workload.withPrerequisites(chosen), w2Seconds, w2Rates,
                verifySample, naiveKeys, ceilingRequests, work, warmerApp.toAbsolutePath(),
                (charts == null ? work : charts).toAbsolutePath(), redisCeiling.toAbsolutePath(),
                shapedLua.toAbsolutePath(), pgbench);
        Results results = new Results(out);
        results.note("Warmer benchmark suite%s; %,d rows; workloads %s; %d cores; %s; run directory %s",
                label.isEmpty() ? "" : " (" + label + ")", rows, settings.workloads(),
                Runtime.getRuntime().availableProcessors(), DateTimeFormatter.ISO_INSTANT.format(Instant.now()), work);
        long started = System.nanoTime();
        new SuiteRun(settings, results).run();
        results.result("suite_seconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
        results.printTable();
        if (!keepData) {
            for (String data : List.of("postgres", "kafka", "redis", "ceiling-redis")) {
                deleteRecursively(work.resolve(data));
            }
        }
        return 0;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
