package io.warmer.topology;

import io.warmer.change.DeadLetterHeaders;
import io.warmer.change.RowChangeCodec;
import io.warmer.sink.SinkCounters;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * A change that could not be materialized, as it goes to the dead-letter topic: the original key and
 * value untouched, and headers that say where it came from and why it was set aside.
 */
final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * Sets {@code record} aside: forwards its letter to the dead-letter sink and counts it for {@code family}
     * ({@link SinkCounters#UNATTRIBUTED} when blank: it failed before any family looked at it).
     */
    static void setAside(ProcessorContext<String, String> context, Record<String, String> record, String family,
                         String reason, SinkCounters counters) {
        context.forward(of(record, context.recordMetadata().orElse(null), family, reason), WarmerTopology.DEAD_LETTER_SINK);
        counters.deadLettered(family.isBlank() ? SinkCounters.UNATTRIBUTED : family);
    }

    static Record<String, String> of(Record<String, String> record, RecordMetadata origin, String family, String reason) {
        Record<String, String> letter = record.withHeaders(record.headers());
        Headers headers = letter.headers();
        add(headers, DeadLetterHeaders.REASON, reason == null ? "unknown" : reason);
        add(headers, DeadLetterHeaders.FAMILY, family);
        String table = tableOf(record.value());
        if (table != null) {
            add(headers, DeadLetterHeaders.TABLE, table);
        }
        if (origin != null) {
            add(headers, DeadLetterHeaders.SOURCE_TOPIC, origin.topic());
            add(headers, DeadLetterHeaders.SOURCE_PARTITION, String.valueOf(origin.partition()));
            add(headers, DeadLetterHeaders.SOURCE_OFFSET, String.valueOf(origin.offset()));
        }
        return letter;
    }

    /** The table named in the change, when the value is readable enough to say. */
    private static String tableOf(String value) {
        try {
            return value == null ? null : RowChangeCodec.json().readTree(value).path("table").textValue();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    private static void add(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
