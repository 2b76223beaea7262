package io.warmer.topology;

import io.warmer.capture.DebeziumEvents;
import io.warmer.change.Version;

/**
 * What the translation of a Debezium topic knows about one of its partitions, kept in a state store so that it
 * survives restarts: where the partition began to stream, the largest version streamed so far, the last offset
 * translated, the run of a second blocking snapshot's reads under way, and the last one that ended. It places the
 * rows a snapshot reads ({@link DebeziumEvents.Placement}): before the first streamed change they are the connector's
 * first snapshot; after it, a second (or an incremental) snapshot, newer than everything streamed before.
 *
 * <p>After a crash the translation processes again records it had processed ({@code offset <= last}), and
 * {@code max} may by then hold changes streamed after them. The first snapshot is told apart by the offset of the
 * first streamed change, a fact of the log. A blocking run streams nothing, so the largest version before any of its
 * reads is {@code max} while it is under way, and {@code endedBase} once it ended: its reads are placed exactly as the
 * first time. Another read processed before (an incremental one) has no known place: it is skipped.
 *
 * @param firstStreamed the offset of the partition's first streamed change; -1 before there is one
 * @param last          the largest offset translated; -1 before any
 * @param max           the largest version streamed; null before any
 * @param runStart      the offset of the first read of a second blocking snapshot under way; -1 when none is
 * @param endedRun      the offset of the first read of the last run that ended; -1 before one ended
 * @param endedAt       the offset after the last read of that run
 * @param endedBase     the largest version streamed before that run
 */
record PartitionPosition(long firstStreamed, long last, Version max, long runStart, long endedRun, long endedAt,
                         Version endedBase) {

    static final PartitionPosition NONE = new PartitionPosition(-1, -1, null, -1, -1, -1, null);

    /** Where a read at {@code offset} stands; null for a read processed before whose place is not known. */
    DebeziumEvents.Placement placementOf(long offset) {
        if (firstStreamed < 0 || offset < firstStreamed) {
            return DebeziumEvents.Placement.FIRST_SNAPSHOT;
        }
        if (!reprocessed(offset) || inRun() && offset >= runStart) {
            return new DebeziumEvents.Placement(max.then(offset));
        }
        if (endedBase != null && offset >= endedRun && offset < endedAt) {
            return new DebeziumEvents.Placement(endedBase.then(offset));
        }
        return null;
    }

    /** Whether the event at {@code offset} was translated before (the translation resumed from an earlier offset). */
    boolean reprocessed(long offset) {
        return offset <= last;
    }

    /** Whether a read at {@code offset} belongs to a snapshot after the partition streamed. */
    boolean afterStreaming(long offset) {
        return firstStreamed >= 0 && offset > firstStreamed;
    }

    boolean inRun() {
        return runStart >= 0;
    }

    /** The version the rows a run did not read again are deleted at: below every read of the run. */
    Version runFloor() {
        return max.then(runStart);
    }

    /** The version the last ended run's rows not read again were deleted at; null before one ended. */
    Version endedFloor() {
        return endedBase == null ? null : endedBase.then(endedRun);
    }

    PartitionPosition withRun(long start) {
        return new PartitionPosition(firstStreamed, last, max, start, endedRun, endedAt, endedBase);
    }

    /** The run under way ended before {@code at}: its rows not read again were deleted at {@link #runFloor()}. */
    PartitionPosition withRunEnded(long at) {
        return new PartitionPosition(firstStreamed, last, max, -1, runStart, at, max);
    }

    /** @param streamed the event's own version when it was a streamed change, else null */
    PartitionPosition after(long offset, Version streamed) {
        boolean raises = streamed != null && (max == null || streamed.isNewerThan(max));
        return new PartitionPosition(streamed != null && firstStreamed < 0 ? offset : firstStreamed,
                Math.max(last, offset), raises ? streamed : max, runStart, endedRun, endedAt, endedBase);
    }

    String text() {
        return firstStreamed + " " + last + " " + text(max) + " " + runStart + " " + endedRun + " " + endedAt + " "
                + text(endedBase);
    }

    private static String text(Version version) {
        return version == null ? "-" : version.text();
    }

    private static Version version(String text) {
        return text.equals("-") ? null : Version.parse(text);
    }

    static PartitionPosition parse(String text) {
        if (text == null) {
            return NONE;
        }
        String[] parts = text.split(" ");
        return new PartitionPosition(Long.parseLong(parts[0]), Long.parseLong(parts[1]), version(parts[2]),
                Long.parseLong(parts[3]), Long.parseLong(parts[4]), Long.parseLong(parts[5]), version(parts[6]));
    }
}
