package io.warmer.demo;

import io.warmer.cli.WarmerCli;
import picocli.CommandLine;

/**
 * {@code ./warmer demo}: Warmer's command line with the {@code demo} command added, run from this module (the
 * embedded servers live here and in {@code warmer-embedded}, never on the production classpath).
 */
public final class DemoMain {

    private DemoMain() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Warmer's configured command line plus {@code demo}; also used by tests to run the demo in-process. */
    public static CommandLine commandLine() {
        return WarmerCli.commandLine().addSubcommand("demo", new DemoCommand());
    }
}
