package io.warmer.embedded;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a server process does not outlive this JVM.
 *
 * <p>Two mechanisms, because neither covers every exit: a JVM shutdown hook stops the process on orderly exits
 * (end of main, System.exit, SIGTERM/Ctrl-C), and a tiny watchdog shell process stops it when the JVM dies
 * without running hooks (SIGKILL, OOM killer, crash). The watchdog is a separate process so it survives the
 * JVM; it polls both PIDs once a second and exits as soon as the guarded process is gone.
 */
public final class OrphanGuard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OrphanGuard.class);

    /** How long a stopped server may take to exit before it is killed. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(30);

    // Arguments: $1 JVM pid, $2 guarded pid, $3 stop signal name, $4 grace seconds.
    // A zombie still passes "kill -0"; on Linux /proc tells it apart, elsewhere the grace period bounds the wait.
    private static final String WATCHDOG_SCRIPT = String.join("\n",
            "alive() {",
            "  kill -0 \"$1\" 2>/dev/null || return 1",
            "  case \"$(cat /proc/\"$1\"/stat 2>/dev/null)\" in *') Z '*) return 1 ;; esac",
            "}",
            "while alive \"$1\" && alive \"$2\"; do sleep 1; done",
            "alive \"$2\" || exit 0",
            "kill -s \"$3\" \"$2\" 2>/dev/null",
            "i=0",
            "while alive \"$2\" && [ \"$i\" -lt \"$4\" ]; do sleep 1; i=$((i+1)); done",
            "alive \"$2\" && kill -s KILL \"$2\" 2>/dev/null",
            "exit 0");

    private final String name;
    private final ProcessHandle guarded;
    private final Process watchdog;
    private final Thread shutdownHook;

    private OrphanGuard(String name, ProcessHandle guarded, Process watchdog, Thread shutdownHook) {
        this.name = name;
        this.guarded = guarded;
        this.watchdog = watchdog;
        this.shutdownHook = shutdownHook;
    }

    /**
     * Guards {@code process} until {@link #close()}: if the JVM exits first, the process receives
     * {@code stopSignal} and, {@link #STOP_GRACE} later, SIGKILL.
     *
     * @param name what the process is, for log and error messages
     */
    public static OrphanGuard watch(String name, ProcessHandle process, StopSignal stopSignal) {
        Process watchdog = startWatchdog(name, process.pid(), stopSignal);
        Thread hook = new Thread(() -> stop(name, process, stopSignal, STOP_GRACE), "stop-" + name + "-on-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        return new OrphanGuard(name, process, watchdog, hook);
    }

    /** Guards the process with this PID, e.g. a server that daemonized itself and is not our child. */
    public static OrphanGuard watch(String name, long pid, StopSignal stopSignal) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            throw new IllegalStateException("Cannot guard " + name + " (pid " + pid + "): no such process. "
                    + "It exited right after starting; look at its log for the reason.");
        }
        return watch(name, process.get(), stopSignal);
    }

    /**
     * Sends {@code stopSignal}, waits up to {@code grace} for the process to exit, then kills it.
     * Returns whether it had exited on its own.
     */
    public static boolean stop(String name, ProcessHandle process, StopSignal stopSignal, Duration grace) {
        if (!process.isAlive()) {
            return true;
        }
        stopSignal.sendTo(process.pid());
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("Interrupted while waiting for {} (pid {}) to stop; killing it", name, process.pid());
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("{} (pid {}) did not stop within {} after SIG{}; killing it",
                    name, process.pid(), grace, stopSignal);
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("Could not wait for {} (pid {}) to stop; killing it", name, process.pid(), e);
        }
        process.destroyForcibly();
        return false;
    }

    /** The guarded process has been stopped (or is being handed off): stop watching it. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shutdownInProgress) {
            // The hook is running or about to run; it copes with an already stopped process.
        }
        watchdog.destroy();
        log.debug("No longer guarding {} (pid {})", name, guarded.pid());
    }

    private static Process startWatchdog(String name, long pid, StopSignal stopSignal) {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", WATCHDOG_SCRIPT, "warmer-orphan-guard",
                Long.toString(ProcessHandle.current().pid()), Long.toString(pid), stopSignal.name(),
                Long.toString(STOP_GRACE.toSeconds()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the watchdog that stops " + name + " (pid " + pid
                    + ") if this JVM dies: running 'sh' failed. Warmer needs a POSIX shell (/bin/sh) on PATH.",
                    e);
        }
    }
}
