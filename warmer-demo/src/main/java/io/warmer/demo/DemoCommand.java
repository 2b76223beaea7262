package io.warmer.demo;

import io.warmer.cli.ExitCodes;
import io.warmer.cli.HttpOption;
import io.warmer.config.HttpSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code warmer demo}: the incident and its prevention, on embedded servers, needing nothing but a JDK. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Replay the key-rename incident on embedded PostgreSQL, Kafka and Redis, and show the"
                + " cutover finding a hot cache.", "Exits 0 only if the hit rate meets --min-hit-rate and nothing is stale."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--users", description = "Users in the database (default: ${DEFAULT-VALUE}).")
    int users = DemoOptions.DEFAULT_USERS;

    @Option(names = "--sample", description = "Users read back at the cutover (default: ${DEFAULT-VALUE}).")
    int sample = DemoOptions.DEFAULT_SAMPLE;

    @Option(names = "--live-seconds", description = "Seconds of live changes after the warm-up (default: ${DEFAULT-VALUE}).")
    long liveSeconds = DemoOptions.DEFAULT_LIVE_FOR.toSeconds();

    @Option(names = "--min-hit-rate", description = "The hit rate the cutover must reach (default: ${DEFAULT-VALUE}).")
    double minHitRate = DemoOptions.DEFAULT_MIN_HIT_RATE;

    @Option(names = "--serve", description = "After the cutover summary, keep the service, its status page and the"
            + " application's writes running until interrupted (Ctrl-C).")
    boolean serve;

    @Mixin
    HttpOption http;

    @Override
    public Integer call() throws Exception {
        var options = new DemoOptions(users, Math.min(sample, users), Duration.ofSeconds(liveSeconds), minHitRate,
                http.apply(HttpSettings.DEFAULTS), serve);
        boolean terminal = System.console() != null;
        boolean met = new IncidentDemo(options, spec.commandLine().getOut(), terminal).run();
        return met ? ExitCodes.OK : ExitCodes.NOT_MET;
    }
}
