package io.warmer.embedded;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** The signal that asks a server process for an orderly (but prompt) shutdown. */
public enum StopSignal {
    /** What most daemons treat as "shut down now", e.g. redis-server. */
    TERM,
    /** PostgreSQL's "fast" shutdown; TERM would be "smart" and wait for every client to disconnect. */
    INT;

    /** Sends this signal to {@code pid}; a process that is already gone is not an error. */
    void sendTo(long pid) {
        if (this == TERM) {
            // ProcessHandle.destroy() is SIGTERM on POSIX and needs no helper process.
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            return;
        }
        // The JDK can only send TERM and KILL, so other signals go through kill(1).
        try {
            Process kill = new ProcessBuilder("kill", "-s", name(), Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not run kill(1) to send SIG" + name() + " to process " + pid
                    + ": is the 'kill' command on PATH?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
