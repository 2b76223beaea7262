package io.warmer.capture;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Hands each batch from Debezium to Kafka and marks a record processed only once Kafka has
 * acknowledged it, so that the engine's stored offsets never run ahead of what reached the topics.
 */
final class KafkaChangePublisher implements DebeziumEngine.ChangeConsumer<ChangeEvent<String, String>> {

    private final Producer<String, String> producer;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong lastVersion = new AtomicLong();

    KafkaChangePublisher(Producer<String, String> producer) {
        this.producer = producer;
    }

    @Override
    public void handleBatch(List<ChangeEvent<String, String>> events,
                            DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        long batchVersion = 0;
        for (ChangeEvent<String, String> event : events) {
            Optional<RowChange> change = DebeziumEnvelopeTranslator.translate(event.value());
            if (change.isPresent()) {
                batchVersion = Math.max(batchVersion, change.get().version());
            }
            String value = change.map(RowChangeCodec::write).orElse(null);
            acks.add(producer.send(new ProducerRecord<>(event.destination(), event.key(), value)));
        }
        for (int i = 0; i < events.size(); i++) {
            awaitAck(acks.get(i), events.get(i));
            committer.markProcessed(events.get(i));
        }
        committer.markBatchFinished();
        published.addAndGet(events.size());
        long acknowledgedUpTo = batchVersion;
        lastVersion.accumulateAndGet(acknowledgedUpTo, Math::max);
    }

    @Override
    public boolean supportsTombstoneEvents() {
        return true;
    }

    /** Records handed to Kafka and acknowledged since start, tombstones included. */
    long published() {
        return published.get();
    }

    /**
     * The highest source version (LSN) acknowledged by Kafka. Changes reach Debezium in log order, so
     * every change below it has been acknowledged too.
     */
    long lastVersion() {
        return lastVersion.get();
    }

    private static void awaitAck(Future<RecordMetadata> ack, ChangeEvent<String, String> event) throws InterruptedException {
        try {
            ack.get();
        } catch (ExecutionException e) {
            // The producer already retried for delivery.timeout.ms; failing the batch leaves its
            // offsets unmarked, so a restart captures these rows again instead of losing them.
            throw new CaptureException("Kafka did not accept the change of key " + event.key() + " for topic "
                    + event.destination() + ": " + e.getCause().getMessage(), e.getCause());
        }
    }
}
