package io.warmer.status;

import io.warmer.capture.TopicReader;
import io.warmer.change.ChangeTopics;
import io.warmer.change.DeadLetterHeaders;
import io.warmer.kafka.KafkaClients;
import io.warmer.sink.SinkCounters;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Events set aside on the dead-letter topic, per family; those set aside before any family saw them under "(none)". */
final class DeadLetterCounts {

    /** As the live counters name them. */
    static final String NONE = SinkCounters.UNATTRIBUTED;

    private DeadLetterCounts() {
    }

    static Map<String, Long> read(KafkaClients kafka, String topicPrefix) {
        Map<String, Long> counts = new HashMap<>();
        TopicReader.readAll(kafka, ChangeTopics.deadLetterTopic(topicPrefix), record -> {
            var header = record.headers().lastHeader(DeadLetterHeaders.FAMILY);
            String family = header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
            family = family.isBlank() ? NONE : family;
            counts.merge(family, 1L, Long::sum);
        });
        return counts;
    }
}
