package io.warmer.bench;

import io.warmer.embedded.OrphanGuard;
import io.warmer.embedded.StopSignal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Warmer's packaged CLI ({@code io.warmer.cli.WarmerCli}) in a JVM of its own, so that its heap and
 * RSS are Warmer's alone and not the broker's, which runs in the benchmark's JVM. Its heap is read
 * from its GC log (the highest occupancy before a collection), its RSS from {@code VmHWM} in
 * {@code /proc/<pid>/status}, sampled until it exits. Guarded so that it dies with the benchmark.
 */
final class WarmerJvm implements AutoCloseable {

    /** The heap Warmer gets in every workload, the issue's memory goal. */
    static final String MAX_HEAP = "512m";

    private static final Pattern STATUS_PAGE = Pattern.compile("warmer: status page at (http://\\S+)");
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final Duration RSS_SAMPLE = Duration.ofMillis(100);

    private final String name;
    private final Process process;
    private final OrphanGuard guard;
    private final Path stdout;
    private final Path stderr;
    private final Path gcLog;
    private final ScheduledExecutorService sampler;
    private volatile long peakRssKib;

    private WarmerJvm(String name, Process process, OrphanGuard guard, Path stdout, Path stderr, Path gcLog) {
        this.name = name;
        this.process = process;
        this.guard = guard;
        this.stdout = stdout;
        this.stderr = stderr;
        this.gcLog = gcLog;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rss-" + name);
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sampleRss, 0, RSS_SAMPLE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts {@code java -Xmx512m -cp <app>/*.jar:<app>/lib/* io.warmer.cli.WarmerCli args...}.
     *
     * @param appTarget warmer-app/target, holding the packaged jar and lib/
     * @param dir where its stdout, stderr, GC log and Warmer's own log go
     */
    /** The collector the {@code warmer} launcher and the Docker image choose. */
    static final String DEFAULT_COLLECTOR = "-XX:+UseParallelGC";

    /** JVM options added to every Warmer JVM the suite starts. */
    static final String EXTRA_OPTIONS_ENV = "WARMER_BENCH_JVM_OPTS";

    static WarmerJvm start(String name, Path appTarget, Path dir, Map<String, String> env, List<String> args) {
        Path jar = appTarget.resolve("warmer-app-0.1.0-SNAPSHOT.jar");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(appTarget.resolve("lib"))) {
            throw new IllegalStateException("Warmer is not packaged: " + jar + " or its lib/ is missing. Build it with"
                    + " './mvnw -B -q package -DskipTests -pl warmer-bench -am' (bench/run.sh does).");
        }
        return start(name, jar + ":" + appTarget.resolve("lib") + "/*", "io.warmer.cli.WarmerCli", dir, env, args);
    }

    /**
     * Starts one of the benchmark's own programs (a reference loader) the same way, with the benchmark's classpath:
     * the same heap, collector and extra options as Warmer's JVMs, so that the comparison is of the programs.
     */
    static WarmerJvm startBenchProgram(String name, Class<?> main, Path dir, Map<String, String> env, List<String> args) {
        return start(name, System.getProperty("java.class.path"), main.getName(), dir, env, args);
    }

    private static WarmerJvm start(String name, String classpath, String mainClass, Path dir, Map<String, String> env,
                                   List<String> args) {
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        Path gc = dir.resolve(name + ".gc.log");
        Path logs = dir.resolve(name + "-logs");
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx" + MAX_HEAP, "-Xlog:gc:file=" + gc));
        // E.g. a JFR recording, for bench/profile-w1.sh; {name} becomes this JVM's name.
        String extra = System.getenv().getOrDefault(EXTRA_OPTIONS_ENV, "").replace("{name}", name).strip();
        // The collector ./warmer starts Warmer with, unless the extra options choose one.
        if (!extra.matches(".*-XX:\\+Use\\w+GC.*")) {
            command.add(DEFAULT_COLLECTOR);
        }
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", classpath, mainClass));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        builder.environment().put("WARMER_LOG_DIR", logs.toString());
        Process process;
        try {
            Files.createDirectories(logs);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start Warmer's JVM (" + command + "): " + e.getMessage(), e);
        }
        return new WarmerJvm(name, process, OrphanGuard.watch("warmer " + name, process.toHandle(), StopSignal.TERM),
                out, err, gc);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for it to exit by itself; returns its exit code, or fails after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("warmer " + name + " did not finish within " + timeout + "; see " + stderr);
        }
        return process.exitValue();
    }

    /** SIGTERM (Warmer's graceful stop), SIGKILL after {@link OrphanGuard#STOP_GRACE}. */
    void stop() {
        sampleRss();
        OrphanGuard.stop("warmer " + name, process.toHandle(), StopSignal.TERM, OrphanGuard.STOP_GRACE);
    }

    String stdout() {
        return read(stdout);
    }

    /** The status page's address, once {@code warmer run} has printed it. */
    java.util.Optional<java.net.URI> statusPage() {
        Matcher page = STATUS_PAGE.matcher(stdout());
        return page.find() ? java.util.Optional.of(java.net.URI.create(page.group(1))) : java.util.Optional.empty();
    }

    Path stderrFile() {
        return stderr;
    }

    /** The highest RSS the process reached (its {@code VmHWM}) as last sampled, in MiB. */
    double peakRssMib() {
        return peakRssKib / 1024.0;
    }

    /** The highest heap occupancy its GC log shows so far (the heap just before a collection), in MiB. */
    double peakHeapMib() {
        long peak = 0;
        for (String line : read(gcLog).split("\n")) {
            Matcher m = GC_LINE.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(1)));
            }
        }
        return peak;
    }

    /** How many collections its GC log shows so far (with none, {@link #peakHeapMib} knows nothing). */
    long collections() {
        return read(gcLog).lines().filter(l -> GC_LINE.matcher(l).find()).count();
    }

    private void sampleRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    peakRssKib = Math.max(peakRssKib, kib);
                }
            }
        } catch (IOException | UncheckedIOException | NumberFormatException exited) {
            // The process is gone; its last sample stands.
        }
    }

    @Override
    public void close() {
        stop();
        sampler.shutdownNow();
        guard.close();
    }

    @Override
    public String toString() {
        return "warmer " + name + " (pid " + process.pid() + ")";
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
