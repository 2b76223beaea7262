package io.warmer.topology;

import io.warmer.capture.DebeziumEvents;
import io.warmer.change.ChangeTopics;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.TableId;
import io.warmer.config.DebeziumTopicsConfig;
import io.warmer.config.WarmerConfig;
import io.warmer.sink.SinkCounters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * {@code source.debezium-topics}: each table's topic, as an existing Debezium deployment writes it, translated
 * ({@link DebeziumEvents}) into Warmer's change topic of that table, in order: same key, same partition, so every
 * row's changes keep their order. A record that is not a Debezium change event in the configured format goes to the
 * dead-letter topic with the reason. A pure function of the configuration, like {@link WarmerTopology}.
 */
public final class DebeziumTopicsTopology {

    static final String DEAD_LETTER_SINK = WarmerTopology.DEAD_LETTER_SINK;
    /** Each input partition's {@link PartitionPosition}, by {@code topic:partition}. */
    static final String POSITIONS_STORE = "debezium-partition-positions";

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
        // In memory, restored from its changelog: one small entry per input partition, written through a cache
        // that sends it once per commit.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(POSITIONS_STORE),
                Serdes.String(), Serdes.String()).withCachingEnabled(), translators.toArray(String[]::new));
        return topology;
    }

    /** The topics this topology reads: those of every configured table. */
    public static List<String> inputTopics(WarmerConfig config) {
        return config.tables().stream().map(config.source().debeziumTopics()::topicOf).toList();
    }

    private static final class Translate implements Processor<byte[], byte[], String, String> {

        private final DebeziumEvents events;
        private final TableId table;
        private final String output;
        private final SinkCounters counters;
        private ProcessorContext<String, String> context;
        private KeyValueStore<String, String> positions;

        Translate(DebeziumTopicsConfig source, TableId table, SinkCounters counters) {
            this.events = new DebeziumEvents(source.settings());
            this.table = table;
            this.output = "changes-" + table.qualified();
            this.counters = counters;
        }

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.positions = context.getStateStore(POSITIONS_STORE);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            RecordMetadata metadata = context.recordMetadata().orElseThrow(
                    () -> new IllegalStateException("a record of a Debezium topic without its topic and offset"));
            String topic = metadata.topic();
            String partition = topic + ":" + metadata.partition();
            PartitionPosition position = PartitionPosition.parse(positions.get(partition));
            DebeziumEvents.Translated translated;
            try {
                translated = events.translate(topic, table, record.key(), record.value(), record.headers(),
                        position.placementOf(metadata.offset()));
                positions.put(partition, position.after(metadata.offset(), translated.streamed()).text());
            } catch (MalformedChangeException e) {
                Record<String, String> letter = new Record<>(text(record.key()), text(record.value()),
                        record.timestamp(), record.headers());
                context.forward(DeadLetters.of(letter, context.recordMetadata().orElse(null), "",
                        e.getMessage()), DEAD_LETTER_SINK);
                counters.deadLettered(SinkCounters.UNATTRIBUTED);
                return;
            }
            context.forward(new Record<>(translated.key(), translated.value(), record.timestamp()), output);
        }

        private static String text(byte[] bytes) {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
