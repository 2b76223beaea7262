package io.warmer.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server process started by this JVM, with its output in a log file (never on our stdout) and an
 * {@link OrphanGuard} so it cannot outlive the JVM.
 */
public final class ChildProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    private static final int LOG_TAIL_LINES = 30;

    private final String name;
    private final Process process;
    private final Path logFile;
    private final StopSignal stopSignal;
    private final OrphanGuard guard;

    private ChildProcess(String name, Process process, Path logFile, StopSignal stopSignal, OrphanGuard guard) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.stopSignal = stopSignal;
        this.guard = guard;
    }

    /**
     * Starts {@code command} in {@code workingDirectory}, appending stdout and stderr to {@code logFile}.
     *
     * @param name what the process is, for log and error messages
     * @param stopSignal the signal that makes this server shut down promptly and cleanly
     */
    public static ChildProcess start(String name, List<String> command, Path workingDirectory, Path logFile,
            StopSignal stopSignal) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start " + name + " with command " + command + ": "
                    + e.getMessage() + ". Check that the executable exists and is executable.", e);
        }
        OrphanGuard guard;
        try {
            guard = OrphanGuard.watch(name, process.toHandle(), stopSignal);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        log.debug("Started {} (pid {}): {}; log in {}", name, process.pid(), command, logFile);
        return new ChildProcess(name, process, logFile, stopSignal, guard);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** The last lines the process wrote, to put into error messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(could not read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    /** Stops the process (stop signal, then SIGKILL after {@link OrphanGuard#STOP_GRACE}) and waits for it. */
    @Override
    public void close() {
        boolean clean = OrphanGuard.stop(name, process.toHandle(), stopSignal, OrphanGuard.STOP_GRACE);
        guard.close();
        log.debug("Stopped {} (pid {}){}", name, process.pid(), clean ? "" : " by SIGKILL");
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
