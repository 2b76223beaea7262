package io.warmer.capture.snapshot;

/**
 * How tables are snapshotted.
 *
 * @param chunkRows rows read per chunk (one MVCC snapshot, one transaction); a crash repeats at most the chunk
 *                  in flight, and a longer chunk drops more of its rows to changes made while it was read
 * @param threads   tables read at once, each on its own connection
 */
public record SnapshotSettings(int chunkRows, int threads) {

    public static final int DEFAULT_CHUNK_ROWS = 8_192;
    public static final int DEFAULT_THREADS = 2;
    public static final SnapshotSettings DEFAULTS = new SnapshotSettings(DEFAULT_CHUNK_ROWS, DEFAULT_THREADS);

    public SnapshotSettings {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunkRows must be at least 1, found " + chunkRows);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, found " + threads);
        }
    }
}
