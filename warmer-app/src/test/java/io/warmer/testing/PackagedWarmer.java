package io.warmer.testing;

import io.warmer.cli.WarmerCli;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What `./warmer` runs, as a process of its own: the module's jar and its copied dependencies. */
public final class PackagedWarmer {

    private PackagedWarmer() {
    }

    /** A command line running {@code warmer <args>} on the packaged jar (failsafe runs after package). */
    public static ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-cp", classpath(), WarmerCli.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String classpath() {
        Path target = Path.of("target");
        try (var jars = Files.list(target)) {
            Path jar = jars.filter(p -> p.getFileName().toString().matches("warmer-app-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("run `./mvnw package` first: no warmer-app jar in target/"));
            return jar + File.pathSeparator + target.resolve("lib") + File.separator + "*";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list target/", e);
        }
    }
}
