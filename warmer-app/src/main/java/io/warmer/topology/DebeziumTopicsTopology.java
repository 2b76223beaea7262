package io.warmer.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.capture.DebeziumEvents;
import io.warmer.change.ChangeTopics;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.Operation;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.TableId;
import io.warmer.change.Version;
import io.warmer.config.DebeziumTopicsConfig;
import io.warmer.config.WarmerConfig;
import io.warmer.sink.SinkCounters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code source.debezium-topics}: each table's topic, as an existing Debezium deployment writes it, translated
 * ({@link DebeziumEvents}) into Warmer's change topic of that table, in order: same key, same partition, so every
 * row's changes keep their order. A record that is not a Debezium change event in the configured format goes to the
 * dead-letter topic with the reason. A pure function of the configuration, like {@link WarmerTopology}.
 */
public final class DebeziumTopicsTopology {

    static final String DEAD_LETTER_SINK = WarmerTopology.DEAD_LETTER_SINK;
    /**
     * Per input partition ({@code topic:partition}): its {@link PartitionPosition} under {@code p|}, and the rows that
     * exist under {@code r|<partition>|<key>}. One store, so that its changelog keeps them in one order.
     */
    static final String PARTITIONS_STORE = "debezium-partitions";
    private static final String POSITION = "p|";
    private static final String ROW = "r|";
    private static final String EXISTS = "e";
    /** A row a second snapshot under way has not read again yet. */
    private static final String MARKED = "m";
    /** A row the run that began at the offset after it did not read again: deleted. */
    private static final String GONE = "g";
    static final Duration RUN_CHECK = Duration.ofSeconds(5);
    /** How long a partition in a second snapshot may go without a record before the snapshot is taken as done. */
    static final Duration RUN_QUIET = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(DebeziumTopicsTopology.class);

    private DebeziumTopicsTopology() {
    }

    public static Topology build(WarmerConfig config, SinkCounters counters) {
        DebeziumTopicsConfig source = config.source().debeziumTopics();
        String prefix = config.kafka().topicPrefix();
        Topology topology = new Topology();
        List<String> translators = new ArrayList<>();
        for (TableId table : config.tables()) {
            String input = "debezium-" + table.qualified();
            String translator = "translate-" + table.qualified();
            String output = "changes-" + table.qualified();
            topology.addSource(input, new ByteArrayDeserializer(), new ByteArrayDeserializer(), source.topicOf(table));
            topology.addProcessor(translator, () -> new Translate(source, table, counters), input);
            topology.addSink(output, ChangeTopics.topicFor(prefix, table), new StringSerializer(), new StringSerializer(),
                    translator);
            translators.add(translator);
        }
        topology.addSink(DEAD_LETTER_SINK, ChangeTopics.deadLetterTopic(prefix), new StringSerializer(),
                new StringSerializer(), translators.toArray(String[]::new));
        // No cache: a cache evicts entries in its own order, and the changelog must keep the order of the writes.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PARTITIONS_STORE),
                Serdes.String(), Serdes.String()).withCachingDisabled(), translators.toArray(String[]::new));
        return topology;
    }

    /** The topics this topology reads: those of every configured table. */
    public static List<String> inputTopics(WarmerConfig config) {
        return config.tables().stream().map(config.source().debeziumTopics()::topicOf).toList();
    }

    /**
     * Translates one table's topic. Per partition it keeps a {@link PartitionPosition} and the keys of the rows that
     * exist, in one store whose changelog loses, at a crash, only a tail of its writes: whatever was lost is rewritten
     * when the records are processed again, and what was kept is not undone by processing them again (a read already
     * processed becomes a delete, a run already begun or ended is not begun or ended again). The deletes a run sent
     * may be lost with the crash although its end was kept, so the last run's deletes are sent again after each
     * start (a delete of a row that is gone, at the same version: harmless).
     *
     * <p>A second blocking snapshot ("run": its reads after the partition streamed) marks every row it knows; each
     * read unmarks its row; when the run ends, the rows still marked were deleted while the connector did not stream,
     * and the translation deletes them at the run's floor (below every read of the run, above everything streamed
     * before). The run ends at the partition's next streamed change, at the snapshot's last read, or once the
     * partition has been quiet for {@link #RUN_QUIET}: a row read after that is read again with a newer version, so
     * ending early only deletes keys that come back.
     */
    private static final class Translate implements Processor<byte[], byte[], String, String> {

        private final DebeziumEvents events;
        private final TableId table;
        private final String topic;
        private final String output;
        private final SinkCounters counters;
        /** When a partition in a run last had a record, by the stream's wall clock (ms). */
        private final Map<String, Long> lastRecordMs = new HashMap<>();
        /** Partitions whose last ended run's deletes are sent again once after a start (they may have been lost). */
        private final List<String> resend = new ArrayList<>();
        private ProcessorContext<String, String> context;
        private KeyValueStore<String, String> store;

        Translate(DebeziumTopicsConfig source, TableId table, SinkCounters counters) {
            this.events = new DebeziumEvents(source.settings());
            this.table = table;
            this.topic = source.topicOf(table);
            this.output = "changes-" + table.qualified();
            this.counters = counters;
        }

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.store = context.getStateStore(PARTITIONS_STORE);
            try (KeyValueIterator<String, String> positions = store.prefixScan(POSITION + topic + ":",
                    new StringSerializer())) {
                long now = context.currentSystemTimeMs();
                positions.forEachRemaining(entry -> {
                    PartitionPosition position = PartitionPosition.parse(entry.value);
                    String partition = entry.key.substring(POSITION.length());
                    if (position.inRun()) {
                        lastRecordMs.put(partition, now);
                    }
                    if (position.endedFloor() != null) {
                        resend.add(partition);
                    }
                });
            }
            context.schedule(RUN_CHECK, PunctuationType.WALL_CLOCK_TIME, this::endQuietRuns);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            RecordMetadata metadata = context.recordMetadata().orElseThrow(
                    () -> new IllegalStateException("a record of a Debezium topic without its topic and offset"));
            String partition = metadata.topic() + ":" + metadata.partition();
            long offset = metadata.offset();
            PartitionPosition position = PartitionPosition.parse(store.get(POSITION + partition));
            DebeziumEvents.Placement placement = position.placementOf(offset);
            DebeziumEvents.Translated translated;
            try {
                translated = events.translate(metadata.topic(), table, record.key(), record.value(), record.headers(),
                        placement == null ? DebeziumEvents.Placement.FIRST_SNAPSHOT : placement);
            } catch (MalformedChangeException e) {
                Record<String, String> letter = new Record<>(text(record.key()), text(record.value()),
                        record.timestamp(), record.headers());
                context.forward(DeadLetters.of(letter, context.recordMetadata().orElse(null), "",
                        e.getMessage()), DEAD_LETTER_SINK);
                counters.deadLettered(SinkCounters.UNATTRIBUTED);
                return;
            }
            boolean live = !position.reprocessed(offset);
            if (live && position.inRun() && translated.streamed() != null) {
                position = endRun(partition, position, offset, "the stream went on");
            }
            if (live && !position.inRun() && translated.read() != DebeziumEvents.SnapshotRead.NONE
                    && translated.read() != DebeziumEvents.SnapshotRead.INCREMENTAL && position.afterStreaming(offset)) {
                markRows(partition);
                position = position.withRun(offset);
                LOG.atInfo().addKeyValue("event", "second_snapshot").addKeyValue("table", table.qualified())
                        .addKeyValue("partition", partition).log("The connector snapshots {} again ({} from offset"
                                + " {}): rows it does not read again are deleted when it is done", table, partition,
                                offset);
            }
            String row = ROW + partition + "|" + translated.key();
            if (translated.exists()) {
                store.put(row, EXISTS);
            } else {
                store.delete(row);
            }
            if (placement != null || translated.read() == DebeziumEvents.SnapshotRead.NONE) {
                // (A read processed before whose place is not known any more is not sent again.)
                context.forward(new Record<>(translated.key(), translated.value(), record.timestamp()), output);
            }
            position = position.after(offset, translated.streamed());
            if (live && position.inRun() && translated.read() == DebeziumEvents.SnapshotRead.BLOCKING_LAST) {
                position = endRun(partition, position, offset + 1, "its last read came");
            }
            store.put(POSITION + partition, position.text());
            if (position.inRun()) {
                lastRecordMs.put(partition, context.currentSystemTimeMs());
            }
        }

        /** Marks every row of the partition that exists as not read again yet. */
        private void markRows(String partition) {
            try (KeyValueIterator<String, String> rows = store.prefixScan(ROW + partition + "|", new StringSerializer())) {
                rows.forEachRemaining(entry -> { // RocksDB iterates over a snapshot: writing meanwhile is safe
                    if (EXISTS.equals(entry.value)) {
                        store.put(entry.key, MARKED);
                    }
                });
            }
        }

        /**
         * Deletes the rows the run did not read again, below every read of the run, and keeps them as gone: a crash
         * may lose the deletes sent, so the last run's are sent again after each start. Rows gone in an earlier run
         * are forgotten. The position without its run.
         */
        private PartitionPosition endRun(String partition, PartitionPosition position, long at, String because) {
            String gone = GONE + position.runStart();
            List<String> deleted = new ArrayList<>();
            List<String> forgotten = new ArrayList<>();
            try (KeyValueIterator<String, String> rows = store.prefixScan(ROW + partition + "|", new StringSerializer())) {
                rows.forEachRemaining(entry -> {
                    if (entry.value.equals(MARKED) || entry.value.equals(gone)) {
                        deleted.add(entry.key);
                    } else if (entry.value.startsWith(GONE)) {
                        forgotten.add(entry.key);
                    }
                });
            }
            sendDeletes(partition, position.runFloor(), deleted);
            deleted.forEach(row -> store.put(row, gone));
            forgotten.forEach(store::delete);
            lastRecordMs.remove(partition);
            LOG.atInfo().addKeyValue("event", "second_snapshot_done").addKeyValue("table", table.qualified())
                    .addKeyValue("partition", partition).addKeyValue("deleted", deleted.size())
                    .log("The connector's second snapshot of {} is done in {} ({}): {} rows it did not read again"
                            + " were deleted while it did not stream, and their keys are deleted", table, partition,
                            because, deleted.size());
            return position.withRunEnded(at);
        }

        /** Sends a delete at {@code floor} of each of {@code rows} (store keys of the partition's rows). */
        private void sendDeletes(String partition, Version floor, List<String> rows) {
            String prefix = ROW + partition + "|";
            for (String row : rows) {
                String key = row.substring(prefix.length());
                context.forward(new Record<>(key, deleteOf(key, floor.text()), context.currentSystemTimeMs()), output);
            }
        }

        private void endQuietRuns(long now) {
            for (String partition : resend) {
                PartitionPosition position = PartitionPosition.parse(store.get(POSITION + partition));
                if (position.endedFloor() != null) {
                    String gone = GONE + position.endedRun();
                    List<String> rows = new ArrayList<>();
                    try (KeyValueIterator<String, String> entries = store.prefixScan(ROW + partition + "|",
                            new StringSerializer())) {
                        entries.forEachRemaining(entry -> {
                            if (entry.value.equals(gone)) {
                                rows.add(entry.key);
                            }
                        });
                    }
                    sendDeletes(partition, position.endedFloor(), rows);
                }
            }
            resend.clear();
            for (String partition : List.copyOf(lastRecordMs.keySet())) {
                if (now - lastRecordMs.get(partition) >= RUN_QUIET.toMillis()) {
                    PartitionPosition position = PartitionPosition.parse(store.get(POSITION + partition));
                    if (position.inRun()) {
                        store.put(POSITION + partition, endRun(partition, position, position.last() + 1,
                                "no record for " + RUN_QUIET.toSeconds() + " s").text());
                    } else {
                        lastRecordMs.remove(partition);
                    }
                }
            }
        }

        /** A change record deleting the row of {@code key} (its primary key as JSON) at {@code version}. */
        private String deleteOf(String key, String version) {
            try {
                ObjectNode change = RowChangeCodec.json().createObjectNode();
                change.put("op", Operation.DELETE.code());
                change.put("version", version);
                change.put("commitTimeMs", context.currentSystemTimeMs());
                change.put("table", table.qualified());
                change.set("before", RowChangeCodec.json().readTree(key));
                return RowChangeCodec.writeJson(change);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a row key of " + table + " that is not JSON: " + key, e);
            }
        }

        private static String text(byte[] bytes) {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
