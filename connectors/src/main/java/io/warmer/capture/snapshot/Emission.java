package io.warmer.capture.snapshot;

import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Records the capture thread writes at one point of the stream (a chunk's rows, a table's markers), before anything
 * the stream delivers after that point, and what to do once Kafka acknowledged them or refused one.
 *
 * @param progress sent only once Kafka has acknowledged every record of the batch: stored progress may run behind
 *                 the rows in Kafka (a restart reads a chunk again) but never ahead of them (its rows would be lost).
 *                 A chunk's rows go to many partitions, and Kafka acknowledges each partition on its own, so progress
 *                 sent with them could be stored while some of them are not.
 */
public record Emission(List<ProducerRecord<String, String>> records, ProducerRecord<String, String> progress,
                       Consumer<List<RecordMetadata>> acknowledged, Consumer<Throwable> failed) {
    public Emission {
        records = List.copyOf(records);
    }
}
