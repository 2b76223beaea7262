package io.warmer.topology;

import io.warmer.change.ChangeTopics;
import io.warmer.change.TableId;
import io.warmer.config.WarmerConfig;
import io.warmer.family.Join;
import io.warmer.family.KeyFamily;
import io.warmer.sink.CacheSink;
import io.warmer.sink.CacheSinkStoreBuilder;
import io.warmer.sink.CacheWriterFactory;
import io.warmer.sink.SinkCounters;
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
     * main key, and the lookups' subscriptions), then what those feed (the lookups' answers, the rows of a join's
     * own joins for the level above), and so on. A wait for the cache to have every change up to a point marks each
     * tier's end once the one before it is passed.
     */
    public static List<List<String>> joinRouteTiers(WarmerConfig config) {
        Map<String, Integer> tiers = new LinkedHashMap<>();
        config.keyFamilies().forEach(family -> addRouteTopics(config, family.name(), family.joins(), tiers));
        List<List<String>> ordered = new ArrayList<>();
        int last = tiers.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        for (int tier = 1; tier <= last; tier++) {
            int wanted = tier;
            List<String> topics = tiers.entrySet().stream().filter(e -> e.getValue() == wanted).map(Map.Entry::getKey)
                    .toList();
            if (!topics.isEmpty()) {
                ordered.add(topics);
            }
        }
        return ordered;
    }

    /**
     * The join topics of an assembly (a family's, or a join's own joins, named {@code family.n}) with the tier each is
     * in: one more than the tier of the topics that feed it, the change topics being tier 0.
     *
     * @return the highest tier of the assembly's inputs (0 without joins): the rows it assembles are one above
     */
    private static int addRouteTopics(WarmerConfig config, String name, List<Join> joins, Map<String, Integer> tiers) {
        int highest = 0;
        for (int i = 0; i < joins.size(); i++) {
            Join join = joins.get(i);
            int joined = 0;
            if (!join.joins().isEmpty()) {
                String nested = name + "." + i;
                joined = addRouteTopics(config, nested, join.joins(), tiers) + 1;
                tiers.put(nestedTopic(config, nested), joined);
            }
            int route;
            if (join.subscribes()) {
                int rows = joined;
                if (join.isMatch()) {
                    rows = joined + 1;
                    tiers.put(matchTopic(config, name, i), rows);
                }
                tiers.put(lookupSubscriptionTopic(config, name, i), 1);
                route = Math.max(rows, 1) + 1;
            } else {
                route = joined + 1;
            }
            tiers.put(joinRouteTopic(config, name, i), route);
            highest = Math.max(highest, route);
        }
        return highest;
    }

    /**
     * What the names of an application's join topics start with ({@code <prefix>.join.<application>.}, and those of
     * lookups, matches and joins' own joins), for deleting them with the application.
     */
    public static List<String> joinTopicPrefixes(String topicPrefix, String application) {
        return List.of(topicPrefix + ".join." + application + ".", topicPrefix + ".lookup." + application + ".",
                topicPrefix + ".match." + application + ".", topicPrefix + ".nested." + application + ".");
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
        Map<String, Integer> tiers = new LinkedHashMap<>();
        config.keyFamilies().stream().filter(f -> f.name().equals(familyName))
                .forEach(f -> addRouteTopics(config, f.name(), f.joins(), tiers));
        return List.copyOf(tiers.keySet());
    }

    /** Of a lookup join: the main rows' subscriptions to the joined rows they point at, keyed by the joined key. */
    private static String lookupSubscriptionTopic(WarmerConfig config, String name, int join) {
        return config.kafka().topicPrefix() + ".lookup." + config.kafka().applicationId() + "." + name + "." + join;
    }

    /** Of a match join: the joined rows, keyed by the values main rows match them by. */
    private static String matchTopic(WarmerConfig config, String name, int join) {
        return config.kafka().topicPrefix() + ".match." + config.kafka().applicationId() + "." + name + "." + join;
    }

    /** Of a join with joins of its own ({@code name} is {@code family.n}): its rows assembled with theirs. */
    private static String nestedTopic(WarmerConfig config, String name) {
        return config.kafka().topicPrefix() + ".nested." + config.kafka().applicationId() + "." + name;
    }

    /** Per application id: a replay beside the live service must not share the live service's routed rows. */
    private static String joinRouteTopic(WarmerConfig config, String name, int join) {
        return config.kafka().topicPrefix() + ".join." + config.kafka().applicationId() + "." + name + "." + join;
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
        String sink = "cache-sink-join-" + family.name();
        return addAssembly(topology, family.name(), family.name(), family.table(), family.joins(), sources, config,
                writers.counters(), history,
                (stores, join) -> JoinAssembleProcessor.ofFamily(family, join, stores, writers.counters(), history),
                sink, assemblers -> topology.addStateStore(new CacheSinkStoreBuilder(sink, writers), assemblers));
    }

    /** Makes one of an assembly's processors: the main table's ({@code join} -1) or one join's. */
    private interface Assembler {
        Processor<String, String, String, String> create(JoinAssembleProcessor.JoinStoreNames stores, int join);
    }

    /**
     * The stages that gather the rows of {@code joins} per main row of {@code table} and assemble them: a family's,
     * or (named {@code family.n}) a join's own joins, whose rows go on to the level above.
     *
     * @param output where the assembled rows go, given the assemblers
     * @return the nodes that may set records aside
     */
    private static List<String> addAssembly(Topology topology, String family, String name, TableId table,
                                            List<Join> joins, Map<TableId, String> sources, WarmerConfig config,
                                            SinkCounters counters, History history, Assembler assembler,
                                            String sink, java.util.function.Consumer<String[]> output) {
        List<String> joinedStores = new ArrayList<>();
        List<String> subscriptionSinks = new ArrayList<>();
        for (int i = 0; i < joins.size(); i++) {
            joinedStores.add("join-rows-" + name + "-" + i);
            subscriptionSinks.add(joins.get(i).subscribes() ? "lookup-subscribe-" + name + "-" + i + "-out" : null);
        }
        var stores = new JoinAssembleProcessor.JoinStoreNames("join-main-" + name, joinedStores, sink,
                subscriptionSinks);
        List<String> assemblers = new ArrayList<>();
        List<String> parents = new ArrayList<>();
        String mainAssembler = "join-assemble-" + name;
        topology.addProcessor(mainAssembler, () -> assembler.create(stores, -1), sources.get(table));
        assemblers.add(mainAssembler);
        for (int i = 0; i < joins.size(); i++) {
            Join join = joins.get(i);
            int index = i;
            String route = "join-route-" + name + "-" + i;
            String routeSink = route + "-out";
            String routeSource = route + "-in";
            String topic = joinRouteTopic(config, name, i);
            String joinedRows = sources.get(join.table());
            if (!join.joins().isEmpty()) {
                // The joined rows with their own joined rows, assembled first, instead of the table's changes.
                String nested = name + "." + i;
                String nestedSink = "nested-" + nested + "-out";
                NestedRows rows = new NestedRows(family, join);
                parents.addAll(addAssembly(topology, family, nested, join.table(), join.joins(), sources, config,
                        counters, history, (nestedStores, j) -> JoinAssembleProcessor.nested(rows, j, nestedStores,
                                counters, history, nestedSink), null, inner -> topology.addSink(nestedSink,
                                nestedTopic(config, nested), new StringSerializer(), new StringSerializer(), inner)));
                joinedRows = "nested-" + nested + "-in";
                topology.addSource(joinedRows, new StringDeserializer(), new StringDeserializer(),
                        nestedTopic(config, nested));
            }
            if (join.isLookup()) {
                // Partitioned by the joined key: the joined table's changes and the main rows' subscriptions meet.
                addSubjectStage(topology, "lookup", name, i, joinedRows, lookupSubscriptionTopic(config, name, i),
                        routeSink, topic, (rows, rowStore, subscriptionStore) -> new LookupProcessor(family, join,
                                rows, rowStore, subscriptionStore, routeSink, counters, history), parents);
            } else {
                // A match's joined rows go re-keyed by the values they are matched by, to meet the main rows'
                // subscriptions; the others to the main row whose key they hold.
                String owners = "join-owner-" + name + "-" + i;
                String routed = join.isMatch() ? "match-route-" + name + "-" + i + "-out" : routeSink;
                String routedTopic = join.isMatch() ? matchTopic(config, name, i) : topic;
                topology.addProcessor(route, () -> new JoinRouteProcessor(family, join, owners, routed, counters,
                        history), joinedRows);
                topology.addStateStore(loggedStore(owners), route);
                topology.addSink(routed, routedTopic, new StringSerializer(), new StringSerializer(), route);
                parents.add(route);
                if (join.isMatch()) {
                    String byValue = "match-route-" + name + "-" + i + "-in";
                    topology.addSource(byValue, new StringDeserializer(), new StringDeserializer(), routedTopic);
                    addSubjectStage(topology, "match", name, i, byValue, lookupSubscriptionTopic(config, name, i),
                            routeSink, topic, (rows, rowStore, subscriptionStore) -> new MatchProcessor(join, rows,
                                    rowStore, subscriptionStore, routeSink, counters), parents);
                }
            }
            topology.addSource(routeSource, new StringDeserializer(), new StringDeserializer(), topic);
            String joinAssembler = "join-assemble-" + name + "-" + i;
            topology.addProcessor(joinAssembler, () -> assembler.create(stores, index), routeSource);
            assemblers.add(joinAssembler);
            if (join.subscribes()) {
                // The main row subscribes where it points; an answer that finds it pointing elsewhere unsubscribes.
                topology.addSink(subscriptionSinks.get(i), lookupSubscriptionTopic(config, name, i),
                        new StringSerializer(), new StringSerializer(), mainAssembler, joinAssembler);
            }
        }
        String[] all = assemblers.toArray(String[]::new);
        topology.addStateStore(loggedStore(stores.mains()), all);
        joinedStores.forEach(store -> topology.addStateStore(loggedStore(store), all));
        output.accept(all);
        parents.addAll(assemblers);
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
