package io.warmer.topology;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The records that were in the change topics before a family was added, which its own materializer reads first
 * (io.warmer.backfill). A record there that lacks a column the family reads predates the column (added or renamed
 * since); the capture snapshots a table whenever its columns change, so a newer record of the same row follows it.
 * Such a record is not a schema change under the family: its keys are deleted as for any row the family cannot
 * render, but the family is not reported broken and nothing is dead-lettered.
 */
public record History(Map<TopicPartition, Long> ends) {

    public static final History NONE = new History(Map.of());

    public History {
        ends = Map.copyOf(ends);
    }

    /** Whether the record being processed was in its change topic before the family was added. */
    boolean holdsCurrent(ProcessorContext<?, ?> context) {
        if (ends.isEmpty()) {
            return false;
        }
        return context.recordMetadata().map(m -> {
            Long end = ends.get(new TopicPartition(m.topic(), m.partition()));
            return end != null && m.offset() < end;
        }).orElse(false);
    }
}
