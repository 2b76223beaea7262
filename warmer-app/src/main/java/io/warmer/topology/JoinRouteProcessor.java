package io.warmer.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.SnapshotMarker;
import io.warmer.change.Version;
import io.warmer.family.ChangedColumnsException;
import io.warmer.family.Join;
import io.warmer.sink.SinkCounters;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stage one of a join, partitioned by the joined row's own primary key: sends each change of a
 * joined row to the main row it belongs to, re-keyed by the main row's key. When the row moves to
 * another main row (its join column changed) or is deleted, the main row it left is told too, with
 * the same version. Remembers which main row each joined row belongs to, and the version that said so, since a
 * delete carries only the primary key and a change delivered again after a newer one must not move the row back.
 */
final class JoinRouteProcessor implements Processor<String, String, String, String> {

    private final String family;
    private final Join join;
    private final String ownerStoreName;
    private final String routeSink;
    private final SinkCounters counters;
    private final History history;
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> owners;

    /**
     * @param family   the family the join belongs to
     * @param counters where the changes set aside are counted, under {@code join <as>}
     */
    JoinRouteProcessor(String family, Join join, String ownerStoreName, String routeSink, SinkCounters counters,
                       History history) {
        this.family = family;
        this.join = join;
        this.ownerStoreName = ownerStoreName;
        this.routeSink = routeSink;
        this.counters = counters;
        this.history = history;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.owners = context.getStateStore(ownerStoreName);
    }

    @Override
    public void process(Record<String, String> record) {
        if (record.value() == null) {
            return;
        }
        if (SnapshotMarker.isControl(record.headers())) {
            sweep(record);
            return;
        }
        RowChange change = readJoined(context, record, join, counters);
        if (change == null) {
            return;
        }
        Owner old = Owner.parse(owners.get(record.key()));
        if (old != null && old.version().isNewerThan(change.version())) {
            return; // the joined row is newer already: this change was delivered again, after a newer snapshot row
        }
        String withheld = NestedRows.withheld(record.headers());
        if (withheld != null) {
            // A row of a join with joins of its own that cannot be shown yet: its main row's keys stay deleted until
            // it comes whole (the row stays where it was, marked, as for a row the join cannot read).
            String owner = join.routeKeyOf(change.row());
            String target = owner != null ? owner : old == null ? null : old.mainKey();
            if (old != null && !old.mainKey().equals(target)) {
                context.forward(record.withKey(old.mainKey()).withValue(delta(record.key(), change.version(), null)),
                        routeSink);
            }
            if (target != null) {
                owners.put(record.key(), new Owner(target, change.version()).toJson());
                context.forward(record.withKey(target).withValue(brokenDelta(record.key(), change.version(), withheld))
                        .withHeaders(new RecordHeaders()), routeSink);
            }
            return;
        }
        String broken = change.isDelete() ? null : brokenBy(family, join, change);
        if (broken != null) {
            // The joined table's columns changed under the join: the main row it belongs to cannot be rendered from
            // it; its keys are deleted until a row the join can read comes (after the configuration is fixed).
            if (!history.holdsCurrent(context)) {
                counters.broken(family, broken);
                DeadLetters.setAside(context, record, family, broken, counters);
            }
            if (old != null) {
                context.forward(record.withKey(old.mainKey()).withValue(brokenDelta(record.key(), change.version(),
                        broken)), routeSink);
            }
            return;
        }
        String newOwner = change.isDelete() ? null : join.routeKeyOf(change.row());
        if (old != null && !old.mainKey().equals(newOwner)) {
            context.forward(record.withKey(old.mainKey()).withValue(delta(record.key(), change.version(), null)), routeSink);
        }
        if (newOwner == null) {
            owners.delete(record.key());
            return;
        }
        owners.put(record.key(), new Owner(newOwner, change.version()).toJson());
        context.forward(record.withKey(newOwner).withValue(delta(record.key(), change.version(), change.row(),
                change.unavailable())), routeSink);
    }

    /**
     * Why the join cannot read the joined row, or null when it can: a column it joins on or selects is not in the
     * change (dropped or renamed), or changed its type while the capture ran.
     */
    static String brokenBy(String family, Join join, RowChange change) {
        List<String> named = new ArrayList<>(join.joinedKeyColumns());
        named.addAll(join.columns());
        List<String> missing = named.stream().filter(c -> !change.row().has(c) && !change.unavailable().contains(c))
                .distinct().toList();
        List<String> retyped = named.stream().filter(change.retyped()::contains).distinct().toList();
        if (missing.isEmpty() && retyped.isEmpty()) {
            return null;
        }
        return new ChangedColumnsException(family, change.table(), missing, retyped).streamingReason();
    }

    /**
     * The joined table's snapshot is complete: a joined row still in the table was written again since the
     * snapshot began, so one remembered with an older version was deleted while nothing captured it. It leaves its
     * main row.
     */
    private void sweep(Record<String, String> record) {
        SnapshotMarker marker = markerOf(context, record, join, counters);
        if (marker == null) {
            return;
        }
        List<KeyValue<String, String>> orphans = new ArrayList<>();
        try (KeyValueIterator<String, String> all = owners.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> entry = all.next();
                if (marker.startVersion().isNewerThan(Owner.parse(entry.value).version())) {
                    orphans.add(entry);
                }
            }
        }
        for (KeyValue<String, String> orphan : orphans) {
            owners.delete(orphan.key);
            context.forward(new Record<>(Owner.parse(orphan.value).mainKey(),
                    delta(orphan.key, marker.startVersion(), null), record.timestamp()), routeSink);
        }
    }

    /** A joined table's change, or null once it was set aside as malformed (for the join, under {@code join <as>}). */
    static RowChange readJoined(ProcessorContext<String, String> context, Record<String, String> record, Join join,
                                SinkCounters counters) {
        try {
            RowChangeCodec.readKey(record.key());
            return RowChangeCodec.read(record.value());
        } catch (MalformedChangeException e) {
            DeadLetters.setAside(context, record, "join " + join.as(), e.getMessage(), counters);
            return null;
        }
    }

    /** The snapshot marker a joined table's control record carries, or null (none, or set aside as malformed). */
    static SnapshotMarker markerOf(ProcessorContext<String, String> context, Record<String, String> record, Join join,
                                   SinkCounters counters) {
        try {
            return SnapshotMarker.of(record.headers(), record.value());
        } catch (MalformedChangeException e) {
            DeadLetters.setAside(context, record, "join " + join.as(), e.getMessage(), counters);
            return null;
        }
    }

    /**
     * Which main row a joined row belongs to, and the version of the change that said so. Stored as JSON; a store
     * written before versions were kept holds the bare main key.
     */
    record Owner(String mainKey, Version version) {
        static Owner parse(String stored) {
            if (stored == null) {
                return null;
            }
            if (!stored.startsWith("{\"owner\"")) {
                return new Owner(stored, Version.ZERO);
            }
            try {
                JsonNode node = RowChangeCodec.json().readTree(stored);
                return new Owner(node.get("owner").asText(), Version.fromJson(node.get("version")));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the owner store holds something that is not JSON: " + stored, e);
            }
        }

        String toJson() {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("owner", mainKey);
            node.put("version", version.text());
            return RowChangeCodec.writeJson(node);
        }
    }

    /** A joined row the join cannot read any more: its main row's keys are deleted until it can. */
    static String brokenDelta(String joinedKey, Version version, String reason) {
        ObjectNode delta = JsonNodeFactory.instance.objectNode();
        delta.put("key", joinedKey);
        delta.put("version", version.text());
        delta.put("broken", reason);
        return RowChangeCodec.writeJson(delta);
    }

    /** A joined row arriving at (row present) or leaving (row absent) a main row, with its version. */
    static String delta(String joinedKey, Version version, ObjectNode row) {
        return delta(joinedKey, version, row, List.of());
    }

    /** @param unavailable columns PostgreSQL did not send with the row (unchanged TOASTed values) */
    static String delta(String joinedKey, Version version, ObjectNode row, List<String> unavailable) {
        return RowChangeCodec.writeJson(deltaNode(joinedKey, version, row, unavailable));
    }

    /** {@link #delta} before it is written, for a stage that adds to it. */
    static ObjectNode deltaNode(String joinedKey, Version version, ObjectNode row, List<String> unavailable) {
        ObjectNode delta = JsonNodeFactory.instance.objectNode();
        delta.put("key", joinedKey);
        delta.put("version", version.text());
        if (row != null) {
            delta.set("row", row);
        }
        if (!unavailable.isEmpty()) {
            var columns = delta.putArray("unavailable");
            unavailable.forEach(columns::add);
        }
        return delta;
    }
}
