package io.warmer.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.family.CacheWrite;
import io.warmer.family.KeyFamily;
import io.warmer.family.UnrenderableRowException;
import io.warmer.sink.CacheSinkStore;
import io.warmer.sink.SinkCounters;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies the changes of one table to the cache: every family of the table maps the change, and the
 * writes go to the sink store. Families whose keys can change for the same primary key remember the
 * keys they last wrote, so the old ones are deleted. A change that cannot be mapped is forwarded to
 * the dead-letter sink with the reason; it never stops the pipeline.
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
        Map<String, List<CacheWrite>> writes = new java.util.LinkedHashMap<>();
        Map<String, Set<String>> remembered = new java.util.LinkedHashMap<>();
        String family = "";
        try {
            ObjectNode primaryKey = RowChangeCodec.readKey(record.key());
            RowChange change = RowChangeCodec.read(record.value());
            for (KeyFamily f : families) {
                family = f.name();
                boolean remember = f.needsKeyMemory(primaryKey);
                String memoryKey = f.name() + "|" + record.key();
                Set<String> previous = remember ? recall(memoryKey) : Set.of();
                KeyFamily.Mapping mapping = f.map(primaryKey, change, previous, context.currentSystemTimeMs());
                writes.put(f.name(), mapping.writes());
                if (remember) {
                    remembered.put(memoryKey, mapping.currentKeys());
                }
            }
        } catch (MalformedChangeException | UnrenderableRowException e) {
            DeadLetters.setAside(context, record, family, e.getMessage(), counters);
            return;
        }
        remembered.forEach(this::remember);
        writes.forEach(sink::write);
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
