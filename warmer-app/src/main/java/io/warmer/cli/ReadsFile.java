package io.warmer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The {@code --reads} file of recorded application reads that {@code verify} and {@code warmup} take. */
final class ReadsFile {

    private ReadsFile() {
    }

    /** @return its lines, or none when the option was not given */
    static List<String> load(CommandSpec spec, Path file) {
        if (file == null) {
            return List.of();
        }
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--reads: cannot read " + file + ": " + e.getMessage());
        }
    }
}
