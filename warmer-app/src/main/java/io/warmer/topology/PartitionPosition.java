package io.warmer.topology;

import io.warmer.capture.DebeziumEvents;
import io.warmer.change.Version;

/**
 * What the translation of a Debezium topic knows about one of its partitions, kept in a state store so that it
 * survives restarts: where the partition began to stream, the largest version streamed so far and the last offset
 * translated. It places the rows a snapshot reads ({@link DebeziumEvents.Placement}): before the first streamed
 * change they are the connector's first snapshot; after it, a second (or an incremental) snapshot, newer than
 * everything streamed before. The offset of the first streamed change is a fact of the log, so the first snapshot is
 * told apart the same way when the translation reprocesses records after a crash; {@code last} says that it does.
 *
 * @param firstStreamed the offset of the partition's first streamed change; -1 before there is one
 * @param last          the largest offset translated; -1 before any
 * @param max           the largest version streamed; null before any
 */
record PartitionPosition(long firstStreamed, long last, Version max) {

    static final PartitionPosition NONE = new PartitionPosition(-1, -1, null);

    /** Where the event at {@code offset} stands. */
    DebeziumEvents.Placement placementOf(long offset) {
        if (firstStreamed < 0 || offset < firstStreamed) {
            return DebeziumEvents.Placement.FIRST_SNAPSHOT;
        }
        return new DebeziumEvents.Placement(max.then(offset), offset <= last);
    }

    /** @param streamed the event's own version when it was a streamed change, else null */
    PartitionPosition after(long offset, Version streamed) {
        boolean raises = streamed != null && (max == null || streamed.isNewerThan(max));
        return new PartitionPosition(streamed != null && firstStreamed < 0 ? offset : firstStreamed,
                Math.max(last, offset), raises ? streamed : max);
    }

    String text() {
        return firstStreamed + " " + last + " " + (max == null ? "-" : max.text());
    }

    static PartitionPosition parse(String text) {
        if (text == null) {
            return NONE;
        }
        String[] parts = text.split(" ");
        return new PartitionPosition(Long.parseLong(parts[0]), Long.parseLong(parts[1]),
                parts[2].equals("-") ? null : Version.parse(parts[2]));
    }
}
