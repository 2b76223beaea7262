package io.warmer.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.SnapshotMarker;
import io.warmer.change.Version;
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
        if (SnapshotMarker.isControl(record.headers())) {
            return; // keys of rows the snapshot did not write again are swept from Redis (OrphanSweep)
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
                KeyMemory previous = remember ? recall(memoryKey) : KeyMemory.NONE;
                if (previous.version().isNewerThan(change.version())) {
                    continue; // delivered again after a newer change: Redis would fence it, and the memory must not
                }
                mapping = f.map(primaryKey, change, previous.keys(), context.currentSystemTimeMs());
            } catch (MalformedChangeException | UnrenderableRowException e) {
                DeadLetters.setAside(context, record, f.name(), e.getMessage(), counters);
                continue;
            }
            if (remember) {
                remember(memoryKey, new KeyMemory(change.version(), mapping.currentKeys()));
            }
            sink.write(f.name(), mapping.writes());
        }
    }

    /** The keys last written for a row, and the version of the change that wrote them. */
    record KeyMemory(Version version, Set<String> keys) {
        static final KeyMemory NONE = new KeyMemory(Version.ZERO, Set.of());
    }

    private KeyMemory recall(String memoryKey) {
        String stored = keyMemory.get(memoryKey);
        if (stored == null) {
            return KeyMemory.NONE;
        }
        try {
            if (stored.startsWith("[")) { // written before versions were kept
                return new KeyMemory(Version.ZERO, new LinkedHashSet<>(RowChangeCodec.json().readValue(stored, KEY_LIST)));
            }
            JsonNode node = RowChangeCodec.json().readTree(stored);
            Set<String> keys = new LinkedHashSet<>();
            node.path("keys").forEach(k -> keys.add(k.asText()));
            return new KeyMemory(Version.fromJson(node.get("version")), keys);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the key memory of " + memoryKey + " is not JSON: " + stored, e);
        }
    }

    /** A row with no keys now (deleted, filtered out) is forgotten: a change delivered again may only repeat it. */
    private void remember(String memoryKey, KeyMemory memory) {
        if (memory.keys().isEmpty()) {
            keyMemory.delete(memoryKey);
            return;
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("version", memory.version().text());
        var keys = node.putArray("keys");
        memory.keys().forEach(keys::add);
        keyMemory.put(memoryKey, RowChangeCodec.writeJson(node));
    }
}
