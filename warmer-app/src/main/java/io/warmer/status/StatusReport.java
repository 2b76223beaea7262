package io.warmer.status;

import java.util.List;
import java.util.Map;

/**
 * What {@code warmer status} shows: one look at the whole pipeline, per family.
 *
 * @param capture        where the capture is
 * @param snapshots      each captured table's snapshot, once it has progress
 * @param families       one line each, in configuration order
 * @param deadLettered   dead-lettered events per family, including {@code (none)} for those set aside
 *                       before any family saw them
 * @param notes          what could not be measured, and why
 * @param rewarm         the progress of the rebuild after a loss of Redis data, in words; null when none runs
 */
public record StatusReport(String applicationId, CaptureStage capture, List<TableSnapshot> snapshots, List<Family> families,
                           Map<String, Long> deadLettered, List<String> notes, String rewarm) {

    /**
     * @param state   {@code requested}, {@code running}, {@code complete} or {@code swept}
     * @param rows    rows the snapshot wrote so far
     * @param orphans keys removed after it because no row accounts for them; null until swept
     */
    public record TableSnapshot(String table, String state, long rows, long chunks, Long orphans) {
    }

    /**
     * @param lag          change records (and routed join records) the materializer has not committed yet;
     *                     null before the capture created the change topics
     * @param coverage     share of sampled rows whose keys are present; null when not measured
     * @param writesPerSecond writes acknowledged per second over the measuring window, by all processes
     * @param written      writes (puts) acknowledged since the first start, by all processes
     * @param fenced       of the writes, those refused because Redis held a newer version
     * @param broken       why a materializer found the family unable to render its table's changes (a column it reads
     *                     was dropped, renamed or retyped); null when none did
     * @param backfill     change records the family's own materializer still has to read before the family, added
     *                     after the first start, is filled; null when it is not backfilling
     */
    public record Family(String name, Long lag, Double coverage, double writesPerSecond, long written, long deleted,
                         long fenced, long deadLettered, String broken, Long backfill) {
    }
}
