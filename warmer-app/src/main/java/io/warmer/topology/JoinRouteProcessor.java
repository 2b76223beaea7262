package io.warmer.topology;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.family.Join;
import io.warmer.sink.SinkCounters;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stage one of a join, partitioned by the joined row's own primary key: sends each change of a
 * joined row to the main row it belongs to, re-keyed by the main row's key. When the row moves to
 * another main row (its join column changed) or is deleted, the main row it left is told too, with
 * the same version. Remembers which main row each joined row belongs to, since a delete carries
 * only the primary key.
 */
final class JoinRouteProcessor implements Processor<String, String, String, String> {

    private final Join join;
    private final String ownerStoreName;
    private final String routeSink;
    private final SinkCounters counters;
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> owners;

    /** @param counters where the changes set aside are counted, under {@code join <as>} */
    JoinRouteProcessor(Join join, String ownerStoreName, String routeSink, SinkCounters counters) {
        this.join = join;
        this.ownerStoreName = ownerStoreName;
        this.routeSink = routeSink;
        this.counters = counters;
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
        RowChange change;
        try {
            RowChangeCodec.readKey(record.key());
            change = RowChangeCodec.read(record.value());
        } catch (MalformedChangeException e) {
            DeadLetters.setAside(context, record, "join " + join.as(), e.getMessage(), counters);
            return;
        }
        String newOwner = change.isDelete() ? null : join.mainKeyOf(change.row());
        String oldOwner = owners.get(record.key());
        if (oldOwner != null && !oldOwner.equals(newOwner)) {
            context.forward(record.withKey(oldOwner).withValue(delta(record.key(), change.version(), null)), routeSink);
        }
        if (newOwner == null) {
            owners.delete(record.key());
            return;
        }
        owners.put(record.key(), newOwner);
        context.forward(record.withKey(newOwner).withValue(delta(record.key(), change.version(), change.row())), routeSink);
    }

    /** A joined row arriving at (row present) or leaving (row absent) a main row, with its version. */
    static String delta(String joinedKey, long version, ObjectNode row) {
        ObjectNode delta = JsonNodeFactory.instance.objectNode();
        delta.put("key", joinedKey);
        delta.put("version", version);
        if (row != null) {
            delta.set("row", row);
        }
        return RowChangeCodec.writeJson(delta);
    }
}
