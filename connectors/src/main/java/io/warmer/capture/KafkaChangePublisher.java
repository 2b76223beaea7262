package io.warmer.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.warmer.change.DeadLetterHeaders;
import io.warmer.change.MalformedChangeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Hands each batch from Debezium to Kafka and marks a record processed only once Kafka has
 * acknowledged it, so that the engine's stored offsets never run ahead of what reached the topics.
 */
final class KafkaChangePublisher implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private final Producer<String, String> producer;
    private final String deadLetterTopic;
    private final ChangeRecordWriter writer;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong lastVersion = new AtomicLong();

    KafkaChangePublisher(Producer<String, String> producer, String deadLetterTopic, TimestampFormat timestamps) {
        this.producer = producer;
        this.writer = new ChangeRecordWriter(timestamps);
        this.deadLetterTopic = deadLetterTopic;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> events,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        List<ChangeRecordWriter.TopicRecord> sent = new ArrayList<>(events.size());
        long batchVersion = 0;
        for (RecordChangeEvent<SourceRecord> event : events) {
            ProducerRecord<String, String> outgoing;
            try {
                ChangeRecordWriter.TopicRecord record = writer.translate(event.record());
                batchVersion = Math.max(batchVersion, record.version());
                sent.add(record);
                outgoing = new ProducerRecord<>(record.topic(), record.key(), record.value());
            } catch (MalformedChangeException e) {
                // Set aside with its reason rather than stop the capture of every other row.
                SourceRecord source = event.record();
                ChangeRecordWriter.TopicRecord letter = new ChangeRecordWriter.TopicRecord(deadLetterTopic,
                        String.valueOf(source.key()), String.valueOf(source.value()), 0);
                sent.add(letter);
                outgoing = new ProducerRecord<>(deadLetterTopic, letter.key(), letter.value());
                outgoing.headers().add(DeadLetterHeaders.REASON, e.getMessage().getBytes(StandardCharsets.UTF_8));
                outgoing.headers().add(DeadLetterHeaders.SOURCE_TOPIC, source.topic().getBytes(StandardCharsets.UTF_8));
                outgoing.headers().add(DeadLetterHeaders.TABLE, tableOf(source.topic()).getBytes(StandardCharsets.UTF_8));
            }
            acks.add(producer.send(outgoing));
        }
        for (int i = 0; i < events.size(); i++) {
            awaitAck(acks.get(i), sent.get(i));
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

    /** The change topic is {@code <prefix>.<schema>.<table>}; the prefix may itself contain dots. */
    private static String tableOf(String topic) {
        int table = topic.lastIndexOf('.');
        int schema = table < 0 ? -1 : topic.lastIndexOf('.', table - 1);
        return schema < 0 ? topic : topic.substring(schema + 1);
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

    private static void awaitAck(Future<RecordMetadata> ack, ChangeRecordWriter.TopicRecord record)
            throws InterruptedException {
        try {
            ack.get();
        } catch (ExecutionException e) {
            // The producer already retried for delivery.timeout.ms; failing the batch leaves its
            // offsets unmarked, so a restart captures these rows again instead of losing them.
            throw new CaptureException("Kafka did not accept the change of key " + record.key() + " for topic "
                    + record.topic() + ": " + e.getCause().getMessage(), e.getCause());
        }
    }
}
