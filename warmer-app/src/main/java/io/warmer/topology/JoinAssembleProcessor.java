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
 * changes ({@code join} = -1) or one join's routed rows, updates {@link JoinedRows} and writes the
 * family's entries. At the main table's snapshot marker, main rows the snapshot did not write again are
 * forgotten and their keys deleted.
 */
final class JoinAssembleProcessor implements Processor<String, String, String, String> {

    private final KeyFamily family;
    private final int join;
    private final JoinStoreNames stores;
    private final SinkCounters counters;
    private final History history;
    /** Whether the family has a lookup or match join, whose main rows subscribe to what they point at. */
    private final boolean subscribing;
    /** Per join, whether it is a lookup or match (whose answers may be for a subject the main row left). */
    private final List<Boolean> subscribingJoins;
    private ProcessorContext<String, String> context;
    private JoinedRows rows;
    private CacheSink sink;

    /** How often a held family looks whether it was released, and writes a batch of its values once it was. */
    static final Duration ASSEMBLY_INTERVAL = Duration.ofMillis(100);
    /** Main rows rendered per look: the stream thread goes back to its records between batches. */
    static final int ASSEMBLY_BATCH = 5_000;
    /** Once released, where this task's writing of every value stands: the last main key written, until all are. */
    private String assembledUpTo;
    private boolean assembled;

    /**
     * The stores of one joined family, shared by its assemble processors, and per join the sink of a lookup's
     * subscriptions (null for a join on the main key).
     */
    record JoinStoreNames(String mains, List<String> joined, String sink, List<String> subscriptionSinks) {
    }

    /** @param counters where the changes set aside are counted */
    JoinAssembleProcessor(KeyFamily family, int join, JoinStoreNames stores, SinkCounters counters,
                          History history) {
        this.family = family;
        this.join = join;
        this.stores = stores;
        this.counters = counters;
        this.history = history;
        this.subscribingJoins = family.joins().stream().map(io.warmer.family.Join::subscribes).toList();
        this.subscribing = subscribingJoins.contains(true);
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        List<KeyValueStore<String, String>> joined = new ArrayList<>();
        stores.joined().forEach(name -> joined.add(context.getStateStore(name)));
        this.rows = new JoinedRows(family, context.getStateStore(stores.mains()), joined);
        this.sink = context.getStateStore(stores.sink());
        WarmerTopology.sendWritesRegularly(context, sink);
        if (join < 0 && history.holdsJoined()) {
            context.schedule(ASSEMBLY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> assembleOnceReleased());
        }
    }

    private void assembleOnceReleased() {
        if (assembled || !history.released()) {
            return;
        }
        JoinedRows.Rendered batch = rows.renderAll(assembledUpTo, ASSEMBLY_BATCH, context.currentSystemTimeMs());
        sink.write(family.name(), batch.writes());
        assembledUpTo = batch.last();
        if (assembledUpTo == null) {
            sink.flush(); // acknowledged before the task says it is done
            assembled = true;
            history.assembled(family.name(), context.taskId().partition());
        }
    }

    /**
     * The writes to apply now: a held family deletes, but writes no value before its replay caught up; after that,
     * every value it renders is from complete stores.
     */
    private List<CacheWrite> applicable(List<CacheWrite> writes) {
        return history.holdsJoined() ? History.deletesOnly(writes) : writes;
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
        List<CacheWrite> writes;
        try {
            long now = context.currentSystemTimeMs();
            if (SnapshotMarker.isControl(record.headers())) {
                SnapshotMarker marker = SnapshotMarker.of(record.headers(), record.value());
                if (join < 0 && marker != null) {
                    sink.write(family.name(), applicable(rows.snapshotCompleted(marker.startVersion(), now)));
                }
                return;
            }
            if (join < 0) {
                List<String> pointedAt = subscribing ? rows.subscriptionKeys(record.key()) : null;
                writes = rows.mainChanged(record.key(), RowChangeCodec.read(record.value()), now);
                if (subscribing) {
                    subscribe(record, pointedAt);
                }
            } else if (subscribingJoins.get(join)
                    && !rows.pointsAt(join, record.key(), rows.subjectOf(join, record.value()))) {
                // An answer for a subject the main row no longer points at (it moved, or is gone): it stops asking.
                unsubscribe(record, join, rows.subjectOf(join, record.value()));
                return;
            } else {
                writes = rows.joinedChanged(join, record.key(), record.value(), now);
            }
        } catch (ChangedColumnsException e) {
            // The main table's columns changed under the family: set the change aside and delete the row's keys.
            if (!history.holdsCurrent(context)) {
                counters.broken(family.name(), e.streamingReason());
                DeadLetters.setAside(context, record, family.name(), e.streamingReason(), counters);
            }
            sink.write(family.name(), applicable(rows.mainUnrenderable(record.key(),
                    RowChangeCodec.read(record.value()), context.currentSystemTimeMs())));
            return;
        } catch (UnrenderableRowException e) {
            DeadLetters.setAside(context, record, family.name(), e.getMessage(), counters);
            if (join < 0) {
                // Absent beats wrong: the value written before is not the row's any more, nor may a joined change
                // render it.
                sink.write(family.name(), applicable(rows.mainUnrenderable(record.key(),
                        RowChangeCodec.read(record.value()), context.currentSystemTimeMs())));
            }
            return;
        } catch (MalformedChangeException e) {
            DeadLetters.setAside(context, record, family.name(), e.getMessage(), counters);
            return;
        }
        sink.write(family.name(), applicable(writes));
    }
}
