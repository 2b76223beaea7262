package io.warmer.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.family.KeyFamily;
import io.warmer.family.UnrenderableRowException;
import io.warmer.sink.CacheSinkStore;
import io.warmer.sink.SinkCounters;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies the changes of one table to the cache: every family of the table maps the change, and the
 * writes go to the sink store. Families whose keys can change for the same primary key remember the
 * keys they last wrote, so the old ones are deleted. A change that cannot be read, or that a family cannot
 * map, is forwarded to the dead-letter sink with the reason and the family; it never stops the pipeline, and
 * the other families of the table still apply it.
 */
final class MaterializeProcessor implements Processor<String, String, String, String> {

    private static final TypeReference<List<String>> KEY_LIST = new TypeReference<>() { };

    private final List<KeyFamily> families;
    private final String sinkStoreName;
    private final String keyMemoryName;
    private final SinkCounters counters;
    private ProcessorContext<String, String> context;
    private CacheSinkStore sink;
    private KeyValueStore<String, String> keyMemory;

    /** @param counters where the changes set aside are counted */
    MaterializeProcessor(List<KeyFamily> families, String sinkStoreName, String keyMemoryName, SinkCounters counters) {
        this.families = families;
        this.sinkStoreName = sinkStoreName;
        this.keyMemoryName = keyMemoryName;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.sink = context.getStateStore(sinkStoreName);
        this.keyMemory = context.getStateStore(keyMemoryName);
        WarmerTopology.sendWritesRegularly(context, sink);
    }

    @Override
    public void process(Record<String, String> record) {
        if (record.value() == null) {
            return; // the tombstone after a delete only lets compaction forget the row
        }
        ObjectNode primaryKey;
        RowChange change;
        try {
            primaryKey = RowChangeCodec.readKey(record.key());
            change = RowChangeCodec.read(record.value());
        } catch (MalformedChangeException e) {
            DeadLetters.setAside(context, record, "", e.getMessage(), counters);
            return;
        }
        // Each family on its own: a row one family cannot map (its key column is NULL, say) is set aside for that
        // family, and the table's other families still apply it.
        for (KeyFamily f : families) {
            String memoryKey = f.name() + "|" + record.key();
            boolean remember = f.needsKeyMemory(primaryKey);
            KeyFamily.Mapping mapping;
            try {
                Set<String> previous = remember ? recall(memoryKey) : Set.of();
                mapping = f.map(primaryKey, change, previous, context.currentSystemTimeMs());
            } catch (MalformedChangeException | UnrenderableRowException e) {
                DeadLetters.setAside(context, record, f.name(), e.getMessage(), counters);
                continue;
            }
            if (remember) {
                remember(memoryKey, mapping.currentKeys());
            }
            sink.write(f.name(), mapping.writes());
        }
    }

    private Set<String> recall(String memoryKey) {
        String keys = keyMemory.get(memoryKey);
        if (keys == null) {
            return Set.of();
        }
        try {
            return new LinkedHashSet<>(RowChangeCodec.json().readValue(keys, KEY_LIST));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the key memory of " + memoryKey + " is not a JSON list: " + keys, e);
        }
    }

    private void remember(String memoryKey, Set<String> keys) {
        if (keys.isEmpty()) {
            keyMemory.delete(memoryKey);
            return;
        }
        try {
            keyMemory.put(memoryKey, RowChangeCodec.json().writeValueAsString(keys));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot remember the keys of " + memoryKey, e);
        }
    }
}
