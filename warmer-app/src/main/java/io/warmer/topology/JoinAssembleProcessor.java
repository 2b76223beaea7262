package io.warmer.topology;

import io.warmer.change.MalformedChangeException;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.SnapshotMarker;
import io.warmer.family.CacheWrite;
import io.warmer.family.ChangedColumnsException;
import io.warmer.family.KeyFamily;
import io.warmer.family.UnrenderableRowException;
import io.warmer.sink.CacheSink;
import io.warmer.sink.SinkCounters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stage two of a joined family, partitioned by the main row's key: takes either the main table's
 * changes ({@code join} = -1) or one join's routed rows, updates {@link JoinedRows} and writes what the rows
 * become ({@link Output}: the family's entries, or for a join's own joins the joined rows for the level above). At the
 * main table's snapshot marker, main rows the snapshot did not write again are forgotten and their keys deleted.
 *
 * @param <W> what a row becomes
 */
final class JoinAssembleProcessor<W> implements Processor<String, String, String, String> {

    private final Assembly<W> family;
    private final int join;
    private final JoinStoreNames stores;
    private final SinkCounters counters;
    private final History history;
    private final Output<W> output;
    /** Whether the family has a lookup or match join, whose main rows subscribe to what they point at. */
    private final boolean subscribing;
    /** Per join, whether it is a lookup or match (whose answers may be for a subject the main row left). */
    private final List<Boolean> subscribingJoins;
    private ProcessorContext<String, String> context;
    private JoinedRows<W> rows;

    /**
     * The stores of one joined family, shared by its assemble processors, and per join the sink of a lookup's
     * subscriptions (null for a join on the main key).
     */
    record JoinStoreNames(String mains, List<String> joined, String sink, List<String> subscriptionSinks) {
    }

    /** Where what the rows become goes. */
    interface Output<W> {
        void init(ProcessorContext<String, String> context, JoinedRows<W> rows, boolean mainStage);

        void write(List<W> writes, long timestamp);

        /** The main table's snapshot is complete, and what it meant for the rows is written. */
        default void snapshotCompleted(Record<String, String> marker) {
        }
    }

    /** @param counters where the changes set aside are counted */
    JoinAssembleProcessor(Assembly<W> family, int join, JoinStoreNames stores, SinkCounters counters,
                          History history, Output<W> output) {
        this.family = family;
        this.join = join;
        this.stores = stores;
        this.counters = counters;
        this.history = history;
        this.output = output;
        this.subscribingJoins = family.joins().stream().map(io.warmer.family.Join::subscribes).toList();
        this.subscribing = subscribingJoins.contains(true);
    }

    /** A family's: its entries go to the cache. */
    static JoinAssembleProcessor<CacheWrite> ofFamily(KeyFamily family, int join, JoinStoreNames stores,
                                                      SinkCounters counters, History history) {
        return new JoinAssembleProcessor<>(Assembly.of(family), join, stores, counters, history,
                new ToCache(family.name(), stores.sink(), history));
    }

    /** A join's own joins: the joined table's assembled rows go to the level above, through {@code sink}. */
    static JoinAssembleProcessor<NestedRows.Change> nested(NestedRows rows, int join, JoinStoreNames stores,
                                                           SinkCounters counters, History history, String sink) {
        return new JoinAssembleProcessor<>(rows, join, stores, counters, history, new ToLevelAbove(sink));
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        List<KeyValueStore<String, String>> joined = new ArrayList<>();
        stores.joined().forEach(name -> joined.add(context.getStateStore(name)));
        this.rows = new JoinedRows<>(family, context.getStateStore(stores.mains()), joined);
        output.init(context, rows, join < 0);
    }

    /** Into the cache, through the family's sink; a held family writes its values once its replay has caught up. */
    private static final class ToCache implements Output<CacheWrite> {

        /** How often a held family looks whether it was released, and writes a batch of its values once it was. */
        static final Duration ASSEMBLY_INTERVAL = Duration.ofMillis(100);
        /** Main rows rendered per look: the stream thread goes back to its records between batches. */
        static final int ASSEMBLY_BATCH = 5_000;

        private final String family;
        private final String sinkName;
        private final History history;
        private ProcessorContext<String, String> context;
        private JoinedRows<CacheWrite> rows;
        private CacheSink sink;
        /** Once released, where this task's writing of every value stands: the last main key written, until all are. */
        private String assembledUpTo;
        private boolean assembled;

        ToCache(String family, String sinkName, History history) {
            this.family = family;
            this.sinkName = sinkName;
            this.history = history;
        }

        @Override
        public void init(ProcessorContext<String, String> context, JoinedRows<CacheWrite> rows, boolean mainStage) {
            this.context = context;
            this.rows = rows;
            this.sink = context.getStateStore(sinkName);
            WarmerTopology.sendWritesRegularly(context, sink);
            if (mainStage && history.holdsJoined()) {
                context.schedule(ASSEMBLY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> assembleOnceReleased());
            }
        }

        private void assembleOnceReleased() {
            if (assembled || !history.released()) {
                return;
            }
            JoinedRows.Rendered<CacheWrite> batch = rows.renderAll(assembledUpTo, ASSEMBLY_BATCH,
                    context.currentSystemTimeMs());
            sink.write(family, batch.writes());
            assembledUpTo = batch.last();
            if (assembledUpTo == null) {
                sink.flush(); // acknowledged before the task says it is done
                assembled = true;
                history.assembled(family, context.taskId().partition());
            }
        }

        /**
         * A held family deletes, but writes no value before its replay caught up; after that, every value it renders
         * is from complete stores.
         */
        @Override
        public void write(List<CacheWrite> writes, long timestamp) {
            sink.write(family, history.holdsJoined() ? History.deletesOnly(writes) : writes);
        }
    }

    /**
     * To the level above, as changes of the joined table. Nothing is held here: the family above holds its writes
     * during a replay, and needs every row to have them when it is released.
     */
    private static final class ToLevelAbove implements Output<NestedRows.Change> {

        private final String sinkNode;
        private ProcessorContext<String, String> context;

        ToLevelAbove(String sinkNode) {
            this.sinkNode = sinkNode;
        }

        @Override
        public void init(ProcessorContext<String, String> context, JoinedRows<NestedRows.Change> rows,
                         boolean mainStage) {
            this.context = context;
        }

        @Override
        public void write(List<NestedRows.Change> writes, long timestamp) {
            for (NestedRows.Change change : writes) {
                context.forward(new Record<>(change.key(), change.value(), timestamp, change.headers()), sinkNode);
            }
        }

        /** The level above sweeps what it remembers of the joined table by the same marker. */
        @Override
        public void snapshotCompleted(Record<String, String> marker) {
            context.forward(marker, sinkNode);
        }
    }

    /**
     * After a main row's change: it unsubscribes from each subject it stopped pointing at, and subscribes to the one
     * it points at now unless its answer is in (so a subscription lost with a crash is asked again).
     */
    private void subscribe(Record<String, String> record, List<String> before) {
        List<String> after = rows.subscriptionKeys(record.key());
        for (int i = 0; i < after.size(); i++) {
            if (stores.subscriptionSinks().get(i) == null) {
                continue;
            }
            String was = before.get(i);
            String now = after.get(i);
            if (was != null && !was.equals(now)) {
                unsubscribe(record, i, was);
            }
            if (now != null && (!now.equals(was) || !rows.answered(i, record.key(), now))) {
                String request = new Subscribers.Request(record.key(), true, rows.askedBy(i, record.key())).toJson();
                context.forward(record.withKey(now).withValue(request), stores.subscriptionSinks().get(i));
            }
        }
    }

    private void unsubscribe(Record<String, String> record, int join, String subject) {
        context.forward(new Record<>(subject, new Subscribers.Request(record.key(), false, null).toJson(),
                record.timestamp()), stores.subscriptionSinks().get(join));
    }

    @Override
    public void process(Record<String, String> record) {
        if (record.value() == null) {
            return;
        }
        List<W> writes;
        try {
            long now = context.currentSystemTimeMs();
            if (SnapshotMarker.isControl(record.headers())) {
                SnapshotMarker marker = SnapshotMarker.of(record.headers(), record.value());
                if (join < 0 && marker != null) {
                    output.write(rows.snapshotCompleted(marker.startVersion(), now), record.timestamp());
                    output.snapshotCompleted(record);
                }
                return;
            }
            if (join < 0) {
                List<String> pointedAt = subscribing ? rows.subscriptionKeys(record.key()) : null;
                writes = rows.mainChanged(record.key(), RowChangeCodec.read(record.value()), now);
                if (subscribing) {
                    subscribe(record, pointedAt);
                }
            } else {
                String subject = subscribingJoins.get(join) ? rows.subjectOf(join, record.value()) : null;
                if (subject != null && !rows.pointsAt(join, record.key(), subject)) {
                    // An answer for a subject the main row no longer points at (it moved, or is gone): it stops asking.
                    unsubscribe(record, join, subject);
                    return;
                }
                writes = rows.joinedChanged(join, record.key(), record.value(), now);
            }
        } catch (ChangedColumnsException e) {
            // The main table's columns changed under the family: set the change aside and delete the row's keys.
            if (!history.holdsCurrent(context)) {
                counters.broken(family.family(), e.streamingReason());
                DeadLetters.setAside(context, record, family.family(), e.streamingReason(), counters);
            }
            output.write(rows.mainUnrenderable(record.key(), RowChangeCodec.read(record.value()),
                    context.currentSystemTimeMs()), record.timestamp());
            return;
        } catch (UnrenderableRowException e) {
            DeadLetters.setAside(context, record, family.family(), e.getMessage(), counters);
            if (join < 0) {
                // Absent beats wrong: the value written before is not the row's any more, nor may a joined change
                // render it.
                output.write(rows.mainUnrenderable(record.key(), RowChangeCodec.read(record.value()),
                        context.currentSystemTimeMs()), record.timestamp());
            }
            return;
        } catch (MalformedChangeException e) {
            DeadLetters.setAside(context, record, family.family(), e.getMessage(), counters);
            return;
        }
        output.write(writes, record.timestamp());
    }
}
