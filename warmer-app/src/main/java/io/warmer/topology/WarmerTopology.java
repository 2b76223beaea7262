package io.warmer.topology;

import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.config.WarmerConfig;
import io.warmer.family.Join;
import io.warmer.family.KeyFamily;
import io.warmer.sink.CacheSink;
import io.warmer.sink.CacheSinkStoreBuilder;
import io.warmer.sink.CacheWriterFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The materializer: for each captured table, its change topic flows through the table's families
 * into the cache; a family with joins also gathers the joined tables' rows per main row (see
 * {@link JoinRouteProcessor} and {@link JoinedRows}). A pure function of the configuration: building
 * it connects to nothing; the {@link CacheWriterFactory} opens writers only when Streams starts a task, and its
 * counters count the changes set aside.
 */
public final class WarmerTopology {

    static final String DEAD_LETTER_SINK = "dead-letter";

    private WarmerTopology() {
    }

    public static Topology build(WarmerConfig config, CacheWriterFactory writers) {
        return build(config, writers, ColumnMemory.NONE);
    }

    /** @param memory the columns to remember per row, because PostgreSQL may not send them with every update */
    public static Topology build(WarmerConfig config, CacheWriterFactory writers, ColumnMemory memory) {
        return build(config, writers, memory, History.NONE);
    }

    /** @param history the records that were in the topics before the families were added, for their own application */
    public static Topology build(WarmerConfig config, CacheWriterFactory writers, ColumnMemory memory, History history) {
        String prefix = config.kafka().topicPrefix();
        Topology topology = new Topology();
        Map<TableId, String> sources = new LinkedHashMap<>();
        for (TableId table : config.tables()) {
            String source = "source-" + table.qualified();
            topology.addSource(source, new StringDeserializer(), new StringDeserializer(), ChangeTopics.topicFor(prefix, table));
            sources.put(table, source);
        }
        List<String> deadLetterParents = new ArrayList<>();
        Map<TableId, List<KeyFamily>> plainByTable = config.keyFamilies().stream().filter(f -> f.joins().isEmpty())
                .collect(Collectors.groupingBy(KeyFamily::table, LinkedHashMap::new, Collectors.toList()));
        for (var entry : plainByTable.entrySet()) {
            deadLetterParents.add(addMaterializer(topology, entry.getKey(), List.copyOf(entry.getValue()),
                    sources.get(entry.getKey()), writers, memory.of(entry.getKey()), history));
        }
        for (KeyFamily family : config.keyFamilies()) {
            if (!family.joins().isEmpty()) {
                deadLetterParents.addAll(addJoinedFamily(topology, family, sources, config, writers, history));
            }
        }
        topology.addSink(DEAD_LETTER_SINK, ChangeTopics.deadLetterTopic(prefix), new StringSerializer(),
                new StringSerializer(), deadLetterParents.toArray(String[]::new));
        return topology;
    }

    /** The topics that carry joined rows to their main rows, which must exist before Streams starts. */
    public static List<String> joinRouteTopics(WarmerConfig config) {
        List<String> topics = new ArrayList<>();
        for (KeyFamily family : config.keyFamilies()) {
            topics.addAll(joinRouteTopics(config, family));
        }
        return topics;
    }

    /**
     * How long a write may sit in the sink's buffers: writes go to Redis in pipelines and script batches,
     * which fill at once during a snapshot but slowly under a trickle of changes.
     */
    static final Duration SEND_INTERVAL = Duration.ofMillis(10);

    /** Has the sink send its buffered writes every {@link #SEND_INTERVAL} of wall-clock time. */
    static void sendWritesRegularly(ProcessorContext<?, ?> context, CacheSink sink) {
        context.schedule(SEND_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> sink.sendPending());
    }

    /** The join route topics of one family. */
    public static List<String> joinRouteTopics(WarmerConfig config, String familyName) {
        return config.keyFamilies().stream().filter(f -> f.name().equals(familyName))
                .flatMap(f -> joinRouteTopics(config, f).stream()).toList();
    }

    private static List<String> joinRouteTopics(WarmerConfig config, KeyFamily family) {
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < family.joins().size(); i++) {
            topics.add(joinRouteTopic(config, family, i));
        }
        return topics;
    }

    /** Per application id: a replay beside the live service must not share the live service's routed rows. */
    private static String joinRouteTopic(WarmerConfig config, KeyFamily family, int join) {
        return config.kafka().topicPrefix() + ".join." + config.kafka().applicationId() + "." + family.name() + "." + join;
    }

    private static String addMaterializer(Topology topology, TableId table, List<KeyFamily> families, String source,
                                          CacheWriterFactory writers, java.util.Set<String> remembered,
                                          History history) {
        String materialize = "materialize-" + table.qualified();
        String sink = "cache-sink-" + table.qualified();
        String keyMemory = "key-memory-" + table.qualified();
        String columnMemory = remembered.isEmpty() ? null : "column-memory-" + table.qualified();
        topology.addProcessor(materialize, () -> new MaterializeProcessor(families, sink, keyMemory, columnMemory,
                remembered, writers.counters(), history), source);
        topology.addStateStore(new CacheSinkStoreBuilder(sink, writers), materialize);
        // Written only for families whose keys use columns outside the primary key.
        topology.addStateStore(loggedStore(keyMemory), materialize);
        if (columnMemory != null) {
            topology.addStateStore(loggedStore(columnMemory), materialize);
        }
        return materialize;
    }

    private static List<String> addJoinedFamily(Topology topology, KeyFamily family, Map<TableId, String> sources,
                                                WarmerConfig config, CacheWriterFactory writers, History history) {
        String name = family.name();
        List<String> joinedStores = new ArrayList<>();
        for (int i = 0; i < family.joins().size(); i++) {
            joinedStores.add("join-rows-" + name + "-" + i);
        }
        var stores = new JoinAssembleProcessor.JoinStoreNames("join-main-" + name, joinedStores, "cache-sink-join-" + name);
        List<String> assemblers = new ArrayList<>();
        List<String> routers = new ArrayList<>();
        String mainAssembler = "join-assemble-" + name;
        topology.addProcessor(mainAssembler, () -> new JoinAssembleProcessor(family, -1, stores, writers.counters(), history),
                sources.get(family.table()));
        assemblers.add(mainAssembler);
        for (int i = 0; i < family.joins().size(); i++) {
            Join join = family.joins().get(i);
            int index = i;
            String route = "join-route-" + name + "-" + i;
            String routeSink = route + "-out";
            String routeSource = route + "-in";
            String topic = joinRouteTopic(config, family, i);
            String owners = "join-owner-" + name + "-" + i;
            topology.addProcessor(route, () -> new JoinRouteProcessor(family.name(), join, owners, routeSink, writers.counters(), history),
                    sources.get(join.table()));
            topology.addStateStore(loggedStore(owners), route);
            topology.addSink(routeSink, topic, new StringSerializer(), new StringSerializer(), route);
            topology.addSource(routeSource, new StringDeserializer(), new StringDeserializer(), topic);
            String assembler = "join-assemble-" + name + "-" + i;
            topology.addProcessor(assembler, () -> new JoinAssembleProcessor(family, index, stores, writers.counters(), history),
                    routeSource);
            assemblers.add(assembler);
            routers.add(route);
        }
        String[] all = assemblers.toArray(String[]::new);
        topology.addStateStore(loggedStore(stores.mains()), all);
        joinedStores.forEach(store -> topology.addStateStore(loggedStore(store), all));
        topology.addStateStore(new CacheSinkStoreBuilder(stores.sink(), writers), all);
        List<String> parents = new ArrayList<>(assemblers);
        parents.addAll(routers);
        return parents;
    }

    /** A persistent store backed by a changelog topic, so that it moves with its partition. */
    private static StoreBuilder<KeyValueStore<String, String>> loggedStore(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.String());
    }
}
