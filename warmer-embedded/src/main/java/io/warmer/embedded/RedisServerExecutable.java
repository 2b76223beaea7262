package io.warmer.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import redis.embedded.core.ExecutableProvider;

/** Locates a {@code redis-server} binary: the installed one if any, else the one bundled in embedded-redis. */
public final class RedisServerExecutable {

    static final String NAME = "redis-server";

    private RedisServerExecutable() {
    }

    /** The installed redis-server if there is one on PATH, otherwise the bundled Redis 6.2 extracted into {@code extractDir}. */
    public static Path find(Path extractDir) {
        return onPath().orElseGet(() -> bundled(extractDir));
    }

    /** The first executable {@code redis-server} in the directories of {@code PATH}. */
    public static Optional<Path> onPath() {
        String path = System.getenv("PATH");
        if (path == null || path.isBlank()) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isBlank()) {
                continue;
            }
            Path candidate = Path.of(directory, NAME);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Extracts the redis-server that com.github.codemonstur:embedded-redis ships for this OS and CPU. */
    public static Path bundled(Path extractDir) {
        try {
            Files.createDirectories(extractDir);
            File executable = ExecutableProvider.newJarResourceProvider(extractDir.toFile()).get();
            if (!executable.canExecute() && !executable.setExecutable(true)) {
                throw new IllegalStateException("The bundled redis-server was extracted to " + executable
                        + " but could not be made executable; is " + extractDir + " on a noexec mount?");
            }
            return executable.toPath();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("No redis-server on PATH and the one bundled with embedded-redis "
                    + "could not be extracted into " + extractDir + " (" + e.getMessage() + "). Install Redis "
                    + "(e.g. 'apt-get install -y redis-server' or 'brew install redis') and retry.", e);
        }
    }
}
