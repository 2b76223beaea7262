package io.warmer.cli;

import picocli.CommandLine.Command;

/** {@code warmer config}: work with configuration files. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with configuration files.",
        subcommands = {ConfigCheckCommand.class})
final class ConfigCommand {
}
