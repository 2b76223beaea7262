package io.warmer.testing;

import io.warmer.embedded.RedisServerExecutable;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What local mode needs installed on the machine, and what is missing from it. */
final class LocalPrerequisites {

    /** Where Debian/Ubuntu's postgresql-15 package puts the server; override with -Dwarmer.it.pgbin=DIR. */
    static final Path POSTGRES_BIN = Path.of(System.getProperty("warmer.it.pgbin", "/usr/lib/postgresql/15/bin"));
    static final String POSTGRES_OS_USER = "postgres";

    private LocalPrerequisites() {
    }

    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static Path redisServer() {
        return RedisServerExecutable.onPath().orElseThrow(() -> new IllegalStateException(missing().toString()));
    }

    /**
     * The installed redis-cli, which joins the local Redis Cluster. Only the cluster tests need it, so it is
     * not among {@link #missing()}: without it just those tests fail, saying how to install it.
     */
    static Path redisCli() {
        return onPath("redis-cli").orElseThrow(() -> new IllegalStateException("Redis Cluster tests need"
                + " redis-cli on PATH to join the cluster's nodes. Install it with 'apt-get install -y redis-tools'."));
    }

    /** One line per missing piece, each saying how to install it; empty if local mode can run. */
    static List<String> missing() {
        List<String> missing = new ArrayList<>();
        for (String program : List.of("initdb", "postgres")) {
            Path executable = POSTGRES_BIN.resolve(program);
            if (!Files.isExecutable(executable)) {
                missing.add("PostgreSQL 15 server: " + executable + " not found. Install it with "
                        + "'apt-get install -y postgresql-15' (or point -Dwarmer.it.pgbin at a PostgreSQL bin "
                        + "directory).");
                break;
            }
        }
        if (RedisServerExecutable.onPath().isEmpty()) {
            missing.add("Redis: no redis-server on PATH. Install it with 'apt-get install -y redis-server'.");
        }
        if (runningAsRoot()) {
            // PostgreSQL refuses to run as root, so as root the server runs as the postgres OS user.
            if (!osUserExists(POSTGRES_OS_USER)) {
                missing.add("OS user '" + POSTGRES_OS_USER + "' (PostgreSQL refuses to run as root): it is created"
                        + " by 'apt-get install -y postgresql-15', or run 'useradd --system postgres'.");
            }
            if (onPath("setpriv").isEmpty()) {
                missing.add("'setpriv' (needed to run PostgreSQL as a non-root user) is not on PATH."
                        + " Install it with 'apt-get install -y util-linux'.");
            }
        }
        return missing;
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean osUserExists(String name) {
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(name);
            return true;
        } catch (IOException notFound) {
            return false;
        }
    }
}
