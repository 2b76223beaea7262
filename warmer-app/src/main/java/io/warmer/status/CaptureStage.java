package io.warmer.status;

import io.warmer.capture.snapshot.SnapshotProgress;
import io.warmer.change.TableId;
import java.util.Collection;
import java.util.Map;

/**
 * Where the capture is, as the snapshot progress it stores says ({@code <prefix>.snapshots}): the only trace of the
 * snapshot that another process can read.
 */
public enum CaptureStage {
    /** No table has snapshot progress: the capture never ran, or has not read its first chunk. */
    NOT_STARTED("not started"),
    SNAPSHOT_RUNNING("snapshot running"),
    /** Every table has been snapshotted whole; the capture follows the replication slot. */
    STREAMING("snapshot done, streaming"),
    /**
     * Warmer does not capture: it reads an existing Debezium deployment's topics, whose snapshot is in them, and only
     * the lag tells how far it has come.
     */
    DEBEZIUM_TOPICS("reading the Debezium deployment's topics (its snapshot is in them: the lag tells how far)");

    private final String text;

    CaptureStage(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** @param progress each table's latest progress ({@code SnapshotProgressReader}) */
    public static CaptureStage of(Map<TableId, SnapshotProgress> progress, Collection<TableId> tables) {
        if (tables.stream().noneMatch(progress::containsKey)) {
            return NOT_STARTED;
        }
        boolean allDone = tables.stream().allMatch(t -> progress.containsKey(t) && progress.get(t).state().done());
        return allDone ? STREAMING : SNAPSHOT_RUNNING;
    }
}
