package io.warmer.capture.snapshot;

import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Records the capture thread writes at one point of the stream (a chunk's rows, its progress, a table's markers),
 * before anything the stream delivers after that point, and what to do once Kafka acknowledged them or refused one.
 */
public record Emission(List<ProducerRecord<String, String>> records, Consumer<List<RecordMetadata>> acknowledged,
                       Consumer<Throwable> failed) {
    public Emission {
        records = List.copyOf(records);
    }
}
