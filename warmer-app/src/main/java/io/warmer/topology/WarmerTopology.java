package io.warmer.topology;

import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.config.WarmerConfig;
import io.warmer.family.KeyFamily;
import io.warmer.sink.CacheSinkStoreBuilder;
import io.warmer.sink.CacheWriterFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The materializer: for each captured table, its change topic flows through the table's families
 * into the cache. A pure function of the configuration: building it connects to nothing; the
 * {@link CacheWriterFactory} is only called when Streams initialises a task.
 */
public final class WarmerTopology {

    static final String DEAD_LETTER_SINK = "dead-letter";

    private WarmerTopology() {
    }

    public static Topology build(WarmerConfig config, CacheWriterFactory writers) {
        String prefix = config.kafka().topicPrefix();
        Map<TableId, List<KeyFamily>> byTable = config.keyFamilies().stream()
                .collect(Collectors.groupingBy(KeyFamily::table, LinkedHashMap::new, Collectors.toList()));

        Topology topology = new Topology();
        String[] materializers = new String[byTable.size()];
        int i = 0;
        for (var entry : byTable.entrySet()) {
            String table = entry.getKey().qualified();
            String source = "source-" + table;
            String materialize = "materialize-" + table;
            String store = "cache-sink-" + table;
            String keyMemory = "key-memory-" + table;
            topology.addSource(source, Serdes.String().deserializer(), new StringDeserializer(),
                    ChangeTopics.topicFor(prefix, entry.getKey()));
            List<KeyFamily> families = List.copyOf(entry.getValue());
            topology.addProcessor(materialize, () -> new MaterializeProcessor(families, store, keyMemory), source);
            topology.addStateStore(new CacheSinkStoreBuilder(store, writers), materialize);
            // Written only for families whose keys use columns outside the primary key; logged so
            // that it moves with its partition.
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(keyMemory),
                    Serdes.String(), Serdes.String()), materialize);
            materializers[i++] = materialize;
        }
        topology.addSink(DEAD_LETTER_SINK, ChangeTopics.deadLetterTopic(prefix), new StringSerializer(),
                new StringSerializer(), materializers);
        return topology;
    }
}
