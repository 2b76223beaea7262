package io.warmer.cli;

import io.warmer.config.Durations;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * How option values are read, registered once for every command: durations as in the YAML ({@code 30s},
 * {@code 15m}), key rates ({@code 5000/s}). A bad value is a usage error (exit 2) naming the option, the value and
 * the form expected, never a stack trace.
 */
final class Converters {

    private Converters() {
    }

    static CommandLine registerOn(CommandLine commandLine) {
        return commandLine
                .registerConverter(Duration.class, Converters::duration)
                .registerConverter(KeyRate.class, KeyRate::parse);
    }

    private static Duration duration(String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
