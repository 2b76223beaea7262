package io.warmer.cli;

import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config} option every command that talks to the servers takes, and its loading. */
final class ConfigOption {

    @Option(names = "--config", required = true, description = "The YAML configuration file.")
    Path file;

    /** @throws io.warmer.config.ConfigException naming the file and field when the file is not valid */
    WarmerConfig load() {
        return ConfigLoader.withSystemEnvironment().load(file);
    }

    /** The file as written, without its secrets, and which of them the environment lacks. */
    ConfigLoader.Unresolved check() {
        return ConfigLoader.withSystemEnvironment().check(file);
    }

    @Override
    public String toString() {
        return String.valueOf(file);
    }
}
