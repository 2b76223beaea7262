package io.warmer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How busy this machine's cores were with work that is not the suite's: the CPU time of every process
 * (from {@code /proc/stat}) less that of the suite's own processes (this JVM and its descendants, with the
 * children it has reaped, and PostgreSQL's postmaster and its backends). Averaged per phase in cores, so
 * that a figure measured beside a test suite or a build can say so.
 */
final class CpuMonitor implements AutoCloseable {

    /** Jiffies per second on Linux ({@code getconf CLK_TCK}). */
    static final double CLOCK_TICKS = 100;
    /** Above this many cores of other work on average, a figure is labelled as measured beside other work. */
    static final double NOISY_CORES = 0.25;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cpu-monitor");
        t.setDaemon(true);
        return t;
    });
    private final long postmasterPid;
    private long lastBusy = -1;
    private long lastOwn;
    private double phaseForeign;
    private double phaseSeconds;

    CpuMonitor(long postmasterPid) {
        this.postmasterPid = postmasterPid;
        timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    /** Starts a new phase: {@link #foreignCores} covers only what follows. */
    synchronized void phase() {
        phaseForeign = 0;
        phaseSeconds = 0;
    }

    /** Cores busy with other work on average since the phase began; NaN where /proc cannot tell. */
    synchronized double foreignCores() {
        return phaseSeconds == 0 ? Double.NaN : phaseForeign / phaseSeconds;
    }

    private synchronized void sample() {
        try {
            long busy = busyJiffies();
            long own = treeJiffies(ProcessHandle.current()) + ProcessHandle.of(postmasterPid).map(this::treeJiffies).orElse(0L);
            if (lastBusy >= 0) {
                phaseForeign += Math.max(0, (busy - lastBusy) - (own - lastOwn)) / CLOCK_TICKS;
                phaseSeconds += 1;
            }
            lastBusy = busy;
            lastOwn = own;
        } catch (IOException | RuntimeException unreadable) {
            lastBusy = -1; // not Linux, or a process went away mid-read: skip this second
        }
    }

    /** All CPUs' non-idle jiffies since boot. */
    private static long busyJiffies() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            total += Long.parseLong(f[i]);
        }
        return total - Long.parseLong(f[4]) - Long.parseLong(f[5]); // less idle and iowait
    }

    /** utime + stime of a process and its live descendants, plus what its reaped children used. */
    private long treeJiffies(ProcessHandle root) {
        long sum = jiffies(root.pid(), true);
        try (Stream<ProcessHandle> descendants = root.descendants()) {
            sum += descendants.mapToLong(p -> jiffies(p.pid(), false)).sum();
        }
        return sum;
    }

    private static long jiffies(long pid, boolean withReapedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return withReapedChildren ? own + Long.parseLong(f[13]) + Long.parseLong(f[14]) : own;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
