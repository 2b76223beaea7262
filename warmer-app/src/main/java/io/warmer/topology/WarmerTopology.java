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
import org.apache.kafka.streams.processor.api.Processor;
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

    /**
     * The topics that carry joined rows to their main rows (and a lookup's subscriptions to its joined rows), which
     * must exist before Streams starts.
     */
    public static List<String> joinRouteTopics(WarmerConfig config) {
        return joinRouteTiers(config).stream().flatMap(List::stream).toList();
    }

    /**
     * The join topics in the order records pass them: first what the change topics feed (the routes of joins on the
     * main key, and the lookups' subscriptions), then what those feed (the lookups' answers). A wait for the cache
     * to have every change up to a point marks each tier's end once the one before it is passed.
     */
    public static List<List<String>> joinRouteTiers(WarmerConfig config) {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (KeyFamily family : config.keyFamilies()) {
            addRouteTopics(config, family, first, second);
        }
        return second.isEmpty() ? (first.isEmpty() ? List.of() : List.of(first)) : List.of(first, second);
    }

    private static void addRouteTopics(WarmerConfig config, KeyFamily family, List<String> first, List<String> second) {
        for (int i = 0; i < family.joins().size(); i++) {
            Join join = family.joins().get(i);
            if (join.isMatch()) {
                first.add(matchTopic(config, family, i));
            }
            if (join.subscribes()) {
                first.add(lookupSubscriptionTopic(config, family, i));
                second.add(joinRouteTopic(config, family, i));
            } else {
                first.add(joinRouteTopic(config, family, i));
            }
        }
    }

    /**
     * What the names of an application's join topics start with ({@code <prefix>.join.<application>.}, and those of
     * lookups and matches), for deleting them with the application.
     */
    public static List<String> joinTopicPrefixes(String topicPrefix, String application) {
        return List.of(topicPrefix + ".join." + application + ".", topicPrefix + ".lookup." + application + ".",
                topicPrefix + ".match." + application + ".");
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
        List<String> topics = new ArrayList<>();
        config.keyFamilies().stream().filter(f -> f.name().equals(familyName))
                .forEach(f -> addRouteTopics(config, f, topics, topics));
        return topics;
    }

    /** Of a lookup join: the main rows' subscriptions to the joined rows they point at, keyed by the joined key. */
    private static String lookupSubscriptionTopic(WarmerConfig config, KeyFamily family, int join) {
        return config.kafka().topicPrefix() + ".lookup." + config.kafka().applicationId() + "." + family.name() + "."
                + join;
    }

    /** Of a match join: the joined rows, keyed by the values main rows match them by. */
    private static String matchTopic(WarmerConfig config, KeyFamily family, int join) {
        return config.kafka().topicPrefix() + ".match." + config.kafka().applicationId() + "." + family.name() + "."
                + join;
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
        List<String> subscriptionSinks = new ArrayList<>();
        for (int i = 0; i < family.joins().size(); i++) {
            subscriptionSinks.add(family.joins().get(i).subscribes() ? "lookup-subscribe-" + name + "-" + i + "-out" : null);
        }
        var stores = new JoinAssembleProcessor.JoinStoreNames("join-main-" + name, joinedStores, "cache-sink-join-" + name,
                subscriptionSinks);
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
            if (join.isLookup()) {
                // Partitioned by the joined key: the joined table's changes and the main rows' subscriptions meet.
                addSubjectStage(topology, "lookup", name, i, sources.get(join.table()),
                        lookupSubscriptionTopic(config, family, i), routeSink, topic,
                        (rows, rowStore, subscriptionStore) -> new LookupProcessor(family.name(), join, rows, rowStore,
                                subscriptionStore, routeSink, writers.counters(), history), routers);
            } else {
                // A match's joined rows go re-keyed by the values they are matched by, to meet the main rows'
                // subscriptions; the others to the main row whose key they hold.
                String owners = "join-owner-" + name + "-" + i;
                String routed = join.isMatch() ? "match-route-" + name + "-" + i + "-out" : routeSink;
                String routedTopic = join.isMatch() ? matchTopic(config, family, i) : topic;
                topology.addProcessor(route, () -> new JoinRouteProcessor(family.name(), join, owners, routed,
                        writers.counters(), history), sources.get(join.table()));
                topology.addStateStore(loggedStore(owners), route);
                topology.addSink(routed, routedTopic, new StringSerializer(), new StringSerializer(), route);
                routers.add(route);
                if (join.isMatch()) {
                    String byValue = "match-route-" + name + "-" + i + "-in";
                    topology.addSource(byValue, new StringDeserializer(), new StringDeserializer(), routedTopic);
                    addSubjectStage(topology, "match", name, i, byValue, lookupSubscriptionTopic(config, family, i),
                            routeSink, topic, (rows, rowStore, subscriptionStore) -> new MatchProcessor(join, rows,
                                    rowStore, subscriptionStore, routeSink, writers.counters()), routers);
                }
            }
            topology.addSource(routeSource, new StringDeserializer(), new StringDeserializer(), topic);
            String assembler = "join-assemble-" + name + "-" + i;
            topology.addProcessor(assembler, () -> new JoinAssembleProcessor(family, index, stores, writers.counters(), history),
                    routeSource);
            assemblers.add(assembler);
            if (join.subscribes()) {
                // The main row subscribes where it points; an answer that finds it pointing elsewhere unsubscribes.
                topology.addSink(subscriptionSinks.get(i), lookupSubscriptionTopic(config, family, i),
                        new StringSerializer(), new StringSerializer(), mainAssembler, assembler);
            }
        }
        String[] all = assemblers.toArray(String[]::new);
        topology.addStateStore(loggedStore(stores.mains()), all);
        joinedStores.forEach(store -> topology.addStateStore(loggedStore(store), all));
        topology.addStateStore(new CacheSinkStoreBuilder(stores.sink(), writers), all);
        List<String> parents = new ArrayList<>(assemblers);
        parents.addAll(routers);
        return parents;
    }

    /** Makes one instance of a lookup's or match's middle stage. */
    private interface SubjectStage {
        Processor<String, String, String, String> create(boolean rows, String rowStore, String subscriptionStore);
    }

    /**
     * The middle stage of a lookup or match, partitioned by its subject: one instance reads the rows ({@code rows},
     * from {@code rowsParent}), the other the main rows' subscriptions; they share the stores and send their answers
     * to the join's route topic.
     */
    private static void addSubjectStage(Topology topology, String kind, String family, int join, String rowsParent,
                                        String subscriptionTopic, String routeSink, String routeTopic,
                                        SubjectStage stage, List<String> routers) {
        String rowsNode = kind + "-rows-" + family + "-" + join;
        String subscribed = kind + "-subscribed-" + family + "-" + join;
        String subscriptionSource = "lookup-subscribe-" + family + "-" + join + "-in";
        String rowStore = kind + "-row-" + family + "-" + join;
        String subscriptionStore = kind + "-subscription-" + family + "-" + join;
        topology.addProcessor(rowsNode, () -> stage.create(true, rowStore, subscriptionStore), rowsParent);
        topology.addSource(subscriptionSource, new StringDeserializer(), new StringDeserializer(), subscriptionTopic);
        topology.addProcessor(subscribed, () -> stage.create(false, rowStore, subscriptionStore), subscriptionSource);
        topology.addStateStore(loggedStore(rowStore), rowsNode, subscribed);
        topology.addStateStore(loggedStore(subscriptionStore), rowsNode, subscribed);
        topology.addSink(routeSink, routeTopic, new StringSerializer(), new StringSerializer(), rowsNode, subscribed);
        routers.add(rowsNode);
        routers.add(subscribed);
    }

    /** A persistent store backed by a changelog topic, so that it moves with its partition. */
    private static StoreBuilder<KeyValueStore<String, String>> loggedStore(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.String());
    }
}
