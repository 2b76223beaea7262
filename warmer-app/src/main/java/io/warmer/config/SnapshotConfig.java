package io.warmer.config;

import io.warmer.capture.snapshot.SnapshotSettings;

/**
 * {@code source.postgres.snapshot}: how the capture reads whole tables (see README, "Snapshots").
 *
 * @param chunkRows rows per chunk, each read in one transaction; {@link SnapshotSettings#DEFAULT_CHUNK_ROWS}
 * @param threads   tables read at once; {@link SnapshotSettings#DEFAULT_THREADS}
 */
public record SnapshotConfig(Integer chunkRows, Integer threads) {

    public static final SnapshotConfig DEFAULTS = new SnapshotConfig(null, null);

    public SnapshotConfig {
        chunkRows = chunkRows == null ? SnapshotSettings.DEFAULT_CHUNK_ROWS : chunkRows;
        if (chunkRows < 1 || chunkRows > 1_000_000) {
            throw new InvalidFieldException("chunk-rows", "found " + chunkRows + ", expected 1 to 1000000 rows");
        }
        threads = threads == null ? SnapshotSettings.DEFAULT_THREADS : threads;
        if (threads < 1 || threads > 64) {
            throw new InvalidFieldException("threads", "found " + threads + ", expected 1 to 64");
        }
    }

    public SnapshotSettings settings() {
        return new SnapshotSettings(chunkRows, threads);
    }
}
