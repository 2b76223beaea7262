package io.warmer.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory under java.io.tmpdir that is deleted, with everything in it, on close. A JVM killed with SIGKILL
 * cannot delete its directories, so each records its owner's PID and the next run deletes those of dead owners.
 */
final class TemporaryDirectory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TemporaryDirectory.class);
    private static final String OWNER_FILE = ".owner-pid";

    private final Path path;

    private TemporaryDirectory(Path path) {
        this.path = path;
    }

    static TemporaryDirectory create(String prefix) {
        deleteAbandoned(prefix);
        try {
            Path path = Files.createTempDirectory(prefix);
            Files.writeString(path.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
            return new TemporaryDirectory(path);
        } catch (IOException e) {
            throw new IllegalStateException("Could not create a temporary directory in "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage()
                    + ". Check free space and permissions, or point -Djava.io.tmpdir elsewhere.", e);
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        if (!Files.exists(path)) {
            return;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                    Files.delete(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("Could not delete the temporary directory " + path + ": "
                    + e.getMessage() + ". Delete it by hand.", e);
        }
    }

    /** Deletes directories with this prefix whose owning JVM no longer runs. */
    private static void deleteAbandoned(String prefix) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(tmp, prefix + "*")) {
            for (Path candidate : candidates) {
                Path ownerFile = candidate.resolve(OWNER_FILE);
                if (Files.isDirectory(candidate) && Files.isRegularFile(ownerFile) && !ownerAlive(ownerFile)) {
                    new TemporaryDirectory(candidate).close();
                    log.debug("Deleted {} left behind by a test JVM that was killed", candidate);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Only housekeeping: a leftover directory costs disk space, not correctness.
            log.warn("Could not delete temporary directories left behind by killed test runs in {}", tmp, e);
        }
    }

    private static boolean ownerAlive(Path ownerFile) throws IOException {
        try {
            long pid = Long.parseLong(Files.readString(ownerFile).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not written by us, or half-written right now: leave it alone
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
