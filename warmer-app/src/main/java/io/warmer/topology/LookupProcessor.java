package io.warmer.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.SnapshotMarker;
import io.warmer.change.Version;
import io.warmer.family.Join;
import io.warmer.sink.SinkCounters;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The middle stage of a lookup join (many main rows to one joined row), partitioned by the joined row's primary key:
 * it keeps each joined row (newest by version) and which main rows point at it, and answers both ways. A change of
 * the joined row goes to every main row that points at it; a main row that starts pointing at it (a
 * {@link #subscription}) is sent the row as it is now. Each answer is a joined-row delta as {@link JoinRouteProcessor}
 * sends, keyed by the main row's key; the assembler applies it only while the main row still points at this row
 * (answers cross on their way when a main row moves), and a main row that no longer points here unsubscribes.
 *
 * <p>One instance reads the joined table's change topic ({@code rows}), the other the subscriptions; they share the
 * stores, as the task is the same.
 */
final class LookupProcessor implements Processor<String, String, String, String> {

    private final String family;
    private final Join join;
    private final boolean rows;
    private final String rowStoreName;
    private final String subscriptionStoreName;
    private final String answerSink;
    private final SinkCounters counters;
    private final History history;
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> joinedRows;
    private Subscribers subscribers;

    /**
     * @param rows true for the instance that reads the joined table's changes, false for the one that reads the
     *             subscriptions
     */
    LookupProcessor(String family, Join join, boolean rows, String rowStoreName, String subscriptionStoreName,
                    String answerSink, SinkCounters counters, History history) {
        this.family = family;
        this.join = join;
        this.rows = rows;
        this.rowStoreName = rowStoreName;
        this.subscriptionStoreName = subscriptionStoreName;
        this.answerSink = answerSink;
        this.counters = counters;
        this.history = history;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.joinedRows = context.getStateStore(rowStoreName);
        this.subscribers = new Subscribers(context.getStateStore(subscriptionStoreName));
    }

    @Override
    public void process(Record<String, String> record) {
        if (record.value() == null) {
            return;
        }
        if (rows) {
            joinedChanged(record);
        } else {
            subscribed(record);
        }
    }

    private void subscribed(Record<String, String> record) {
        Subscribers.Request request;
        try {
            request = Subscribers.Request.parse(record.value());
        } catch (JsonProcessingException e) {
            DeadLetters.setAside(context, record, "join " + join.as(), "not a lookup subscription: "
                    + e.getOriginalMessage(), counters);
            return;
        }
        if (!subscribers.apply(record.key(), request)) {
            return;
        }
        ObjectNode stored = stored(record.key());
        ObjectNode answer = stored == null
                ? JoinRouteProcessor.deltaNode(record.key(), Version.ZERO, null, List.of())
                : JoinRouteProcessor.deltaNode(record.key(), Version.fromJson(stored.get("version")),
                        (ObjectNode) stored.get("row"), UnsentColumns.names(stored.get("unavailable")));
        if (stored != null && stored.hasNonNull("broken")) {
            // The row as kept is not the row any more: a main row that points at it now has no key until it is.
            answer.remove("row");
            answer.remove("unavailable");
            answer.set("broken", stored.get("broken"));
        }
        if (request.asked() != null) {
            answer.put("answer", request.asked());
        }
        context.forward(record.withKey(request.mainKey()).withValue(RowChangeCodec.writeJson(answer)), answerSink);
    }

    private void joinedChanged(Record<String, String> record) {
        if (SnapshotMarker.isControl(record.headers())) {
            sweep(record);
            return;
        }
        RowChange change = JoinRouteProcessor.readJoined(context, record, join, counters);
        if (change == null) {
            return;
        }
        ObjectNode stored = stored(record.key());
        if (stored != null && Version.fromJson(stored.get("version")).isNewerThan(change.version())) {
            return; // delivered again after a newer change
        }
        String broken = change.isDelete() ? null : JoinRouteProcessor.brokenBy(family, join, change);
        if (broken != null) {
            if (!history.holdsCurrent(context)) {
                counters.broken(family, broken);
                DeadLetters.setAside(context, record, family, broken, counters);
            }
            if (stored != null) {
                // Kept marked, so that a main row that subscribes later is told too.
                stored.put("version", change.version().text());
                stored.put("broken", broken);
                joinedRows.put(record.key(), RowChangeCodec.writeJson(stored));
            }
            answerAll(record, JoinRouteProcessor.brokenDelta(record.key(), change.version(), broken));
            return;
        }
        if (change.isDelete()) {
            joinedRows.delete(record.key());
            answerAll(record, JoinRouteProcessor.delta(record.key(), change.version(), null));
            return;
        }
        // Unchanged TOASTed values PostgreSQL did not send: the row kept here has them.
        UnsentColumns.Filled filled = UnsentColumns.fill(change.row(), change.unavailable(),
                stored == null ? null : (ObjectNode) stored.get("row"), stored == null ? null : stored.get("unavailable"));
        ObjectNode row = filled.row();
        List<String> unknown = filled.unknown();
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put("version", change.version().text());
        entry.set("row", row);
        if (filled.unknownArray() != null) {
            // Until a change sends them: an answer to a main row that subscribes later says so too.
            entry.set("unavailable", filled.unknownArray());
        }
        joinedRows.put(record.key(), RowChangeCodec.writeJson(entry));
        answerAll(record, JoinRouteProcessor.delta(record.key(), change.version(), row, unknown));
    }

    /** The joined table's snapshot is complete: a row kept here with an older version was deleted meanwhile. */
    private void sweep(Record<String, String> record) {
        SnapshotMarker marker = JoinRouteProcessor.markerOf(context, record, join, counters);
        if (marker == null) {
            return;
        }
        List<String> gone = new ArrayList<>();
        try (KeyValueIterator<String, String> all = joinedRows.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> entry = all.next();
                if (marker.startVersion().isNewerThan(Version.fromJson(parse(entry.value).get("version")))) {
                    gone.add(entry.key);
                }
            }
        }
        for (String key : gone) {
            joinedRows.delete(key);
            answerAll(new Record<>(key, "", record.timestamp()),
                    JoinRouteProcessor.delta(key, marker.startVersion(), null));
        }
    }

    /** Sends {@code answer} to every main row that points at the joined row {@code record} is keyed by. */
    private void answerAll(Record<String, String> record, String answer) {
        for (String mainKey : subscribers.of(record.key())) {
            context.forward(record.withKey(mainKey).withValue(answer), answerSink);
        }
    }

    private ObjectNode stored(String joinedKey) {
        String stored = joinedRows.get(joinedKey);
        return stored == null ? null : parse(stored);
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) RowChangeCodec.json().readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("the lookup store holds something that is not a row: " + json, e);
        }
    }
}
