package io.warmer.cli;

import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.service.Role;
import io.warmer.service.WarmerService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code warmer run}: the long-lived service. SIGTERM stops it gracefully. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Capture changes from PostgreSQL and keep Redis warm until stopped (SIGTERM/Ctrl-C).")
final class RunCommand implements Callable<Integer> {

    /** How often a status line is printed. */
    static final long STATUS_INTERVAL_SECONDS = 30;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "The YAML configuration file.")
    Path config;

    @Option(names = "--role", description = "all: capture and materialize (default); capture: only PostgreSQL into"
            + " Kafka (one process per slot); materialize: only Kafka into Redis (scale out with more processes).")
    Role role = Role.ALL;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        WarmerConfig loaded = ConfigLoader.withSystemEnvironment().load(config);
        WarmerService service = WarmerService.start(loaded, role);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            service.close();
            out.println("warmer: stopped; capture offsets stored, Redis writes acknowledged, offsets committed.");
            out.flush();
            stopped.countDown();
        }, "warmer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("warmer: running (role %s), %d families from %d tables; SIGTERM or Ctrl-C stops.%n",
                role, loaded.families().size(), loaded.tables().size());
        out.flush();
        long nextStatus = System.nanoTime() + TimeUnit.SECONDS.toNanos(STATUS_INTERVAL_SECONDS);
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            if (service.failure().isDone()) {
                Runtime.getRuntime().removeShutdownHook(hook);
                service.close();
                spec.commandLine().getErr().println("error: warmer stopped on an error; see the log.");
                return ExitCodes.UNAVAILABLE;
            }
            if (System.nanoTime() >= nextStatus) {
                nextStatus += TimeUnit.SECONDS.toNanos(STATUS_INTERVAL_SECONDS);
                out.printf("warmer: %,d keys written, %,d deleted, capture %s, materializer %s%n",
                        service.counters().puts(), service.counters().deletes(),
                        service.capture() == null ? "-" : service.capture().state(), service.materializerState());
                out.flush();
            }
        }
        return ExitCodes.OK;
    }
}
