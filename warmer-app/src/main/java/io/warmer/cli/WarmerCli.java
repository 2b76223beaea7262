package io.warmer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./warmer}: the command line. Each subcommand is a {@code Callable<Integer>} returning its exit code. */
@Command(name = "warmer", mixinStandardHelpOptions = true, versionProvider = WarmerCli.Version.class,
        description = "Keeps a Redis cache hot from database change events.",
        footer = {"", "In a checkout, `./warmer demo` replays the key-rename incident on embedded servers"
                + " (the warmer-demo module; the production build carries no demo servers)."},
        subcommands = {RunCommand.class, WarmupCommand.class, VerifyCommand.class, ReplayCommand.class,
                SnapshotCommand.class,
                CleanupCommand.class, MigrateKeysCommand.class, StatusCommand.class, KeysCommand.class, ConfigCommand.class,
                CommandLine.HelpCommand.class})
public final class WarmerCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests to run commands in-process. */
    public static CommandLine commandLine() {
        return Converters.registerOn(new CommandLine(new WarmerCli()))
                .setExecutionExceptionHandler(new FailureReporter())
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = WarmerCli.class.getPackage().getImplementationVersion();
            return new String[] {"warmer " + (v == null ? "development build" : v)};
        }
    }
}
