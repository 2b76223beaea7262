package io.warmer.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.warmer.capture.snapshot.ColumnsChange;
import io.warmer.capture.snapshot.Emission;
import io.warmer.capture.snapshot.TableSnapshots;
import io.warmer.change.DeadLetterHeaders;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.TableId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Hands each batch from Debezium to Kafka in stream order and marks a record processed only once Kafka has
 * acknowledged it, so that the engine's stored offsets never run ahead of what reached the topics. Debezium streams
 * only; the snapshot ({@link TableSnapshots}) places its chunks into the stream at their markers, which arrive here
 * as logical decoding messages: a chunk's rows are sent right there, before anything the stream delivers after it.
 */
final class KafkaChangePublisher implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaChangePublisher.class);

    private final Producer<String, String> producer;
    private final String deadLetterTopic;
    private final ChangeRecordWriter writer;
    private final TableSnapshots snapshots;
    private final SchemaWatch schemas = new SchemaWatch();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong acknowledgedPosition = new AtomicLong(-1);

    KafkaChangePublisher(Producer<String, String> producer, String deadLetterTopic, TimestampFormat timestamps,
                         TableSnapshots snapshots) {
        this.producer = producer;
        this.writer = new ChangeRecordWriter(timestamps);
        this.deadLetterTopic = deadLetterTopic;
        this.snapshots = snapshots;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> events,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        List<String> describedAcks = new ArrayList<>(events.size());
        List<Emission> emissions = new ArrayList<>();
        List<Integer> emissionStarts = new ArrayList<>();
        long batchPosition = -1;
        for (RecordChangeEvent<SourceRecord> event : events) {
            SourceRecord source = event.record();
            if (!(source.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
                if (source.value() != null && !isHeartbeat(source)) {
                    send(deadLetter(source, new MalformedChangeException("Debezium sent a record on " + source.topic()
                            + " that is not a change envelope: " + source.value())), acks, describedAcks);
                } else if (source.value() == null) {
                    send(new ProducerRecord<>(source.topic(), keyOf(source), null), acks, describedAcks);
                }
                continue;
            }
            String op = envelope.getString("op");
            if ("m".equals(op)) {
                long lsn = envelope.getStruct("source").getInt64("lsn");
                batchPosition = Math.max(batchPosition, lsn);
                Emission emission = snapshots.messageDelivered(messageContent(envelope), lsn);
                if (emission != null) {
                    emissionStarts.add(acks.size());
                    emissions.add(emission);
                    for (ProducerRecord<String, String> record : emission.records()) {
                        send(record, acks, describedAcks);
                    }
                }
                continue;
            }
            if ("t".equals(op)) {
                snapshots.truncated(tableOf(envelope), ChangeRecordWriter.versionOf(envelope.getStruct("source")));
                continue;
            }
            ProducerRecord<String, String> outgoing;
            try {
                TableId table = tableOf(envelope);
                if (schemas.isNew(table, envelope.schema().field("after") == null ? null
                        : envelope.schema().field("after").schema())) {
                    ColumnsChange changed = snapshots.recheckColumns(table);
                    if (changed != null) {
                        schemas.retyped(table, changed.retyped());
                        LOG.atWarn().addKeyValue("event", "columns_changed").addKeyValue("table", table.qualified())
                                .log("The columns of {} changed ({}): snapshotting it anew, so that every value has"
                                        + " its new shape. A family that names a dropped, renamed or retyped column"
                                        + " stops writing its keys until its configuration is fixed and Warmer"
                                        + " restarted.", table, changed);
                    }
                }
                ChangeRecordWriter.TopicRecord record = writer.translate(source, schemas.retyped(table));
                long position = record.version().position();
                // Every transaction committed before this change's own LSN committed before its transaction, so was
                // delivered before it (a snapshot window needs the stricter stream position, the version's first part).
                batchPosition = Math.max(batchPosition, Math.max(position, record.lsn()));
                snapshots.changeDelivered(record.table(), record.key(), record.txId(), record.version(), record.value());
                outgoing = new ProducerRecord<>(record.topic(), record.key(), record.value());
            } catch (MalformedChangeException e) {
                // Set aside with its reason rather than stop the capture of every other row.
                outgoing = deadLetter(source, e);
            }
            send(outgoing, acks, describedAcks);
        }
        List<RecordMetadata> metadata = new ArrayList<>(acks.size());
        try {
            for (int i = 0; i < acks.size(); i++) {
                metadata.add(awaitAck(acks.get(i), describedAcks.get(i)));
            }
        } catch (CaptureException e) {
            emissions.forEach(emission -> emission.failed().accept(e));
            throw e;
        }
        List<SourceRecord> records = events.stream().map(RecordChangeEvent::record).toList();
        for (int i = 0, committable = committable(records); i < committable; i++) {
            committer.markProcessed(events.get(i));
        }
        committer.markBatchFinished();
        for (int i = 0; i < emissions.size(); i++) {
            Emission emission = emissions.get(i);
            // Not awaited: progress that did not reach Kafka only makes a restart read the chunk again.
            producer.send(emission.progress(), (ack, error) -> {
                if (error != null) {
                    LOG.warn("Could not store snapshot progress ({}); a restart reads the chunk again.",
                            error.getMessage());
                }
            });
            int from = emissionStarts.get(i);
            emission.acknowledged().accept(metadata.subList(from, from + emission.records().size()));
        }
        published.addAndGet(acks.size());
        long position = batchPosition;
        acknowledgedPosition.accumulateAndGet(position, Math::max);
    }

    /**
     * How many of a batch's records, from its start, may have their offsets committed: all but a trailing run of
     * changes at the batch's last LSN. Debezium 3.6 resumes after the LSN of the last committed record and skips every
     * record at that LSN, and one WAL record can give several: an UPDATE of a primary key (the delete half, its
     * tombstone and the create half), a COPY's multi-row insert, a TRUNCATE of several tables. With the first of them
     * committed and the process killed before the rest reached Kafka, the rest were never delivered again (Debezium
     * fixes it in 3.7, dbz#1554): RewarmIT once found an order's create half missing after a kill, its delete half
     * applied. Held back, such a run is committed with the next record at another LSN, which Debezium delivers only
     * after every record before it; until then a restart delivers the run again, which fencing refuses as not newer.
     * A logical decoding message (heartbeats and snapshot markers, every few seconds while idle) and Debezium's own
     * heartbeat stand alone at their position, so they commit at once.
     */
    static int committable(List<SourceRecord> records) {
        if (records.isEmpty()) {
            return 0;
        }
        SourceRecord last = records.get(records.size() - 1);
        Object lsn = last.sourceOffset() == null ? null : last.sourceOffset().get("lsn");
        if (lsn == null || isHeartbeat(last) || isMessage(last)) {
            return records.size();
        }
        int committable = records.size();
        while (committable > 0) {
            SourceRecord record = records.get(committable - 1);
            if (record.sourceOffset() == null || !lsn.equals(record.sourceOffset().get("lsn"))) {
                break;
            }
            committable--;
        }
        return committable;
    }

    private static boolean isMessage(SourceRecord source) {
        return source.value() instanceof Struct envelope && envelope.schema().field("op") != null
                && "m".equals(envelope.getString("op"));
    }

    private void send(ProducerRecord<String, String> record, List<Future<RecordMetadata>> acks, List<String> described) {
        acks.add(producer.send(record));
        described.add("key " + record.key() + " for topic " + record.topic());
    }

    @Override
    public boolean supportsTombstoneEvents() {
        return true;
    }

    private ProducerRecord<String, String> deadLetter(SourceRecord source, MalformedChangeException e) {
        var letter = new ProducerRecord<>(deadLetterTopic, String.valueOf(source.key()), String.valueOf(source.value()));
        letter.headers().add(DeadLetterHeaders.REASON, e.getMessage().getBytes(StandardCharsets.UTF_8));
        letter.headers().add(DeadLetterHeaders.SOURCE_TOPIC, source.topic().getBytes(StandardCharsets.UTF_8));
        letter.headers().add(DeadLetterHeaders.TABLE, tableOf(source.topic()).getBytes(StandardCharsets.UTF_8));
        return letter;
    }

    private String keyOf(SourceRecord source) {
        return source.key() == null ? null : writer.json(source.keySchema(), source.key());
    }

    private static boolean isHeartbeat(SourceRecord source) {
        return source.topic().startsWith("__debezium-heartbeat");
    }

    /** A logical decoding message's content, which Debezium hands over base64-encoded (binary.handling.mode). */
    private static String messageContent(Struct envelope) {
        Object content = envelope.getStruct("message").get("content");
        byte[] bytes = content instanceof String text ? Base64.getDecoder().decode(text)
                : content instanceof java.nio.ByteBuffer buffer ? bytesOf(buffer) : (byte[]) content;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytesOf(java.nio.ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static TableId tableOf(Struct envelope) {
        Struct source = envelope.getStruct("source");
        return new TableId(source.getString("schema"), source.getString("table"));
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
     * A WAL position such that every change committed before it has been acknowledged by Kafka: the stream delivers
     * transactions in commit order. -1 before anything.
     */
    long acknowledgedPosition() {
        return acknowledgedPosition.get();
    }

    private static RecordMetadata awaitAck(Future<RecordMetadata> ack, String what) throws InterruptedException {
        try {
            return ack.get();
        } catch (ExecutionException e) {
            // The producer already retried for delivery.timeout.ms; failing the batch leaves its
            // offsets unmarked, so a restart captures these rows again instead of losing them.
            throw new CaptureException("Kafka did not accept the change of " + what + ": " + e.getCause().getMessage()
                    + ". The capture stopped; no change is lost (they wait in the replication slot, which keeps WAL"
                    + " until then): start Warmer again once Kafka is reachable.", e.getCause());
        }
    }
}
