package io.warmer.cli;

import io.warmer.runtime.ServiceMonitoring;
import io.warmer.runtime.WarmerRuntime;
import io.warmer.service.WarmerService;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a started service running until SIGTERM/Ctrl-C (a graceful stop) or a failure, printing a
 * status line now and then. Shared by {@code run} and {@code warmup --then-run}.
 */
final class ServiceLoop {

    /** How often a status line is printed. */
    static final long STATUS_INTERVAL_SECONDS = 30;

    private ServiceLoop() {
    }

    /** Prints where the status page is, when it is served. */
    static void printAddress(ServiceMonitoring monitoring, PrintWriter out) {
        monitoring.address().ifPresent(address -> out.printf(
                "warmer: status page at %s (also /health, /ready, /metrics, /api/status)%n", address));
    }

    /** Until SIGTERM/Ctrl-C or a failure; then closes {@code runtime}. */
    static int runUntilStopped(WarmerRuntime runtime, PrintWriter out, PrintWriter err) throws InterruptedException {
        WarmerService service = runtime.service();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            runtime.close();
            out.println("warmer: stopped; capture offsets stored, Redis writes acknowledged, offsets committed.");
            out.flush();
            stopped.countDown();
        }, "warmer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long nextStatus = System.nanoTime() + TimeUnit.SECONDS.toNanos(STATUS_INTERVAL_SECONDS);
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            if (service.failure().isDone()) {
                Runtime.getRuntime().removeShutdownHook(hook);
                runtime.close();
                err.println("error: warmer stopped on an error; see the log.");
                err.flush();
                return ExitCodes.UNAVAILABLE;
            }
            if (System.nanoTime() >= nextStatus) {
                nextStatus += TimeUnit.SECONDS.toNanos(STATUS_INTERVAL_SECONDS);
                out.printf("warmer: %s; %,d keys written, %,d deleted, %,d fenced, capture %s, materializer %s%s%n",
                        service.state().wireName(), service.counters().puts(), service.counters().deletes(), service.counters().fenced(),
                        captureState(service), service.materializerState(),
                        evictionNote(service));
                out.flush();
            }
        }
        return ExitCodes.OK;
    }

    /** The capture's state, or standby and who holds the slot, or "-" in a process that does not capture. */
    static String captureState(WarmerService service) {
        if (service.election() == null) {
            return "-";
        }
        return service.capture() != null ? service.capture().state().name()
                : service.election().role().label() + " (" + service.election().holder() + ")";
    }

    /** For progress lines: ", paused: Redis is evicting" while the eviction guard holds writing back, else nothing. */
    static String evictionNote(WarmerService service) {
        return service.evictionGuard().paused() ? ", paused: Redis is evicting" : "";
    }
}
