package io.warmer.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's Kafka Streams state, under {@code kafka.state-dir}: the key memory and join stores, kept across
 * restarts so that a restarted service reads them back from disk instead of restoring them from the changelog
 * topics.
 *
 * <p>Each process holds a slot ({@code slot-0}, {@code slot-1}, ...) under a file lock for as long as it runs, so
 * that two processes on one host (a standby, a second materializer) never share a store; the lock goes with the
 * process, also when it is killed. A slot is reused only if the process that held it stopped cleanly: a killed
 * process leaves no {@value #CLEAN} marker, and its slot is emptied, so that its stores are restored from the
 * changelogs exactly as on a first start.
 *
 * <p>Kept stores are also only as good as the changelogs they were checkpointed against: an application's stores are
 * kept only if its changelog topics are the very topics of the last clean stop (the same cluster id, the same topic
 * ids; see {@link #keep}). Stores of another cluster, or of topics deleted and created again, would otherwise restore
 * from a checkpoint that means nothing there and hold rows the topics do not.
 */
final class StateDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StateDirectory.class);
    /** Written by a clean stop; a start takes it away while it runs. */
    static final String CLEAN = "stopped-cleanly";
    private static final String LOCK = ".lock";
    private static final String CHANGELOGS = ".changelogs";
    /** More processes than this on one host under one directory is a configuration error. */
    static final int MAX_SLOTS = 64;

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean reused;

    private StateDirectory(Path path, FileChannel channel, FileLock lock, boolean reused) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.reused = reused;
    }

    /**
     * Takes the first slot under {@code root} no other process holds.
     *
     * @throws UncheckedIOException naming the directory when it cannot be created or written
     */
    static StateDirectory claim(Path root) {
        try {
            Files.createDirectories(root);
            for (int slot = 0; slot < MAX_SLOTS; slot++) {
                Path dir = root.resolve("slot-" + slot);
                Files.createDirectories(dir);
                FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // held by this JVM: another service of the same process
                }
                if (lock == null) {
                    channel.close();
                    continue;
                }
                boolean reused = Files.deleteIfExists(dir.resolve(CLEAN));
                if (!reused) {
                    empty(dir);
                }
                LOG.debug("Kafka Streams state in {} ({})", dir, reused ? "kept from a clean stop" : "empty");
                return new StateDirectory(dir, channel, lock, reused);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot use kafka.state-dir " + root.toAbsolutePath() + ": " + e.getMessage()
                    + "; set it to a directory Warmer may create and write.", e);
        }
        throw new IllegalStateException(MAX_SLOTS + " processes already hold kafka.state-dir " + root.toAbsolutePath()
                + "; give each deployment on this host its own directory.");
    }

    private static void empty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.filter(p -> !p.getFileName().toString().equals(LOCK)).toList()) {
                deleteTree(entry);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** What Kafka Streams' {@code state.dir} is set to: each application keeps its stores in a directory of its own. */
    Path path() {
        return path;
    }

    /** Whether the stores of an earlier clean stop were kept. */
    boolean reused() {
        return reused;
    }

    /**
     * Whether an application's stores stay: only after a clean stop, and only if {@code changelogs} (its changelog
     * topics now, see {@link ChangelogIdentity}; null when they could not be read) is what {@link #recordChangelogs}
     * stored then. Otherwise its directory
     * is emptied, and Kafka Streams restores the stores from the changelog topics.
     */
    boolean keep(String applicationId, String changelogs) throws IOException {
        Path recorded = path.resolve(applicationId + CHANGELOGS);
        boolean same = reused && changelogs != null && Files.exists(recorded)
                && Files.readString(recorded).equals(changelogs);
        Files.deleteIfExists(recorded); // written again at the next clean stop
        Path stores = path.resolve(applicationId);
        if (!same && Files.exists(stores)) {
            deleteTree(stores);
        }
        LOG.debug("Stores of {} in {}: {}", applicationId, path, same ? "kept" : "restored from the changelogs");
        return same;
    }

    /** What {@link #keep} compares with at the next start: the application's changelog topics at this clean stop. */
    void recordChangelogs(String applicationId, String changelogs) {
        try {
            Files.writeString(path.resolve(applicationId + CHANGELOGS), changelogs);
        } catch (IOException e) {
            LOG.debug("Could not record the changelogs of {}: {}", applicationId, e.getMessage());
        }
    }

    /** Marks the state complete, so that the next start reuses it. */
    void markClean() {
        try {
            Files.writeString(path.resolve(CLEAN), "");
        } catch (IOException e) {
            LOG.debug("Could not mark {} as stopped cleanly: {}", path, e.getMessage());
        }
    }

    /** Releases the slot. */
    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            LOG.debug("Releasing {}: {}", path, e.getMessage());
        }
    }
}
