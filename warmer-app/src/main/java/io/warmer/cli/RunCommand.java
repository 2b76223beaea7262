package io.warmer.cli;

import io.warmer.config.WarmerConfig;
import io.warmer.redis.Redis;
import io.warmer.runtime.WarmerRuntime;
import io.warmer.service.Role;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code warmer run}: the long-lived service. SIGTERM stops it gracefully. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Capture changes from PostgreSQL and keep Redis warm until stopped (SIGTERM/Ctrl-C).")
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--role", description = "all: capture and materialize (default); capture: only PostgreSQL into"
            + " Kafka (one process per slot); materialize: only Kafka into Redis (scale out with more processes).")
    Role role = Role.ALL;

    @Mixin
    HttpOption http;

    @Override
    public Integer call() throws InterruptedException, SQLException {
        PrintWriter out = spec.commandLine().getOut();
        WarmerConfig loaded = config.load();
        loaded = loaded.with(http.apply(loaded.http()));
        WarmerRuntime runtime = WarmerRuntime.start(loaded, Redis.of(loaded.redis()), role);
        out.printf("warmer: running (role %s), %d families from %d tables; SIGTERM or Ctrl-C stops.%n",
                role, loaded.families().size(), loaded.tables().size());
        ServiceLoop.printAddress(runtime.monitoring(), out);
        out.flush();
        return ServiceLoop.runUntilStopped(runtime, out, spec.commandLine().getErr());
    }
}
