package io.warmer.cli;

import picocli.CommandLine.Command;

/** {@code warmer keys}: work with the keys families produce. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Work with the keys that families produce.",
        subcommands = {KeysRenderCommand.class})
final class KeysCommand {
}
