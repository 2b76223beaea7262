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
import io.warmer.family.CacheWrite;
import io.warmer.family.KeyFamily;
import io.warmer.family.ChangedColumnsException;
import io.warmer.family.UnrenderableRowException;
import io.warmer.sink.CacheSink;
import io.warmer.sink.SinkCounters;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the changes of one table to the cache: every family of the table maps the change, and the
 * writes go to the sink store. Families whose keys can change for the same primary key remember the
 * keys they last wrote, so the old ones are deleted. A change that cannot be read, or that a family cannot
 * map, is forwarded to the dead-letter sink with the reason and the family; it never stops the pipeline, and
 * the other families of the table still apply it.
 */
final class MaterializeProcessor implements Processor<String, String, String, String> {

    private static final TypeReference<List<String>> KEY_LIST = new TypeReference<>() { };

    private static final Logger LOG = LoggerFactory.getLogger(MaterializeProcessor.class);

    private final List<KeyFamily> families;
    private final String sinkStoreName;
    private final String keyMemoryName;
    private final String columnMemoryName;
    private final Set<String> remembered;
    private final SinkCounters counters;
    private final History history;
    private final Set<String> warned = new java.util.HashSet<>();
    private ProcessorContext<String, String> context;
    private CacheSink sink;
    private KeyValueStore<String, String> keyMemory;
    private KeyValueStore<String, String> columnMemory;

    /**
     * @param columnMemoryName the store of the remembered columns, null when the table remembers none
     * @param remembered       the table's columns to remember per row ({@link ColumnMemory})
     * @param counters         where the changes set aside are counted
     */
    MaterializeProcessor(List<KeyFamily> families, String sinkStoreName, String keyMemoryName, String columnMemoryName,
                         Set<String> remembered, SinkCounters counters, History history) {
        this.families = families;
        this.sinkStoreName = sinkStoreName;
        this.keyMemoryName = keyMemoryName;
        this.columnMemoryName = columnMemoryName;
        this.remembered = Set.copyOf(remembered);
        this.counters = counters;
        this.history = history;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.sink = context.getStateStore(sinkStoreName);
        this.keyMemory = context.getStateStore(keyMemoryName);
        this.columnMemory = columnMemoryName == null ? null : context.getStateStore(columnMemoryName);
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
        RowChange effective = withRememberedColumns(record.key(), change);
        // A replay from the beginning writes only each row's latest record: a lost key has no version to refuse an
        // older value with. The earlier ones still delete what they delete, and keep the memories up to date.
        boolean superseded = history.superseded(context);
        // Each family on its own: a row one family cannot map (its key column is NULL, say) is set aside for that
        // family, and the table's other families still apply it.
        for (KeyFamily f : families) {
            String memoryKey = f.name() + "|" + record.key();
            boolean remember = f.needsKeyMemory(primaryKey);
            KeyFamily.Mapping mapping;
            KeyMemory previous;
            try {
                previous = remember ? recall(memoryKey) : KeyMemory.NONE;
                if (previous.version().isNewerThan(change.version())) {
                    continue; // delivered again after a newer change: Redis would fence it, and the memory must not
                }
                String unsent = effective.unavailable().stream().filter(f::reads).findFirst().orElse(null);
                if (unsent != null) {
                    // Absent beats wrong: the row's value without this column is not what the database holds.
                    counters.unavailable(f.name());
                    warnUnavailable(f, change.table(), unsent);
                    mapping = new KeyFamily.Mapping(f.deletesOf(primaryKey, effective, previous.keys(),
                            context.currentSystemTimeMs()), Set.of());
                } else {
                    mapping = f.map(primaryKey, effective, previous.keys(), context.currentSystemTimeMs());
                }
            } catch (ChangedColumnsException e) {
                // The schema changed under the family: set the change aside, and delete what it would have replaced.
                if (!history.holdsCurrent(context)) {
                    counters.broken(f.name(), e.streamingReason());
                    DeadLetters.setAside(context, record, f.name(), e.streamingReason(), counters);
                }
                sink.write(f.name(), f.deletesOf(primaryKey, effective, Set.of(), context.currentSystemTimeMs()));
                continue;
            } catch (MalformedChangeException e) {
                DeadLetters.setAside(context, record, f.name(), e.getMessage(), counters);
                continue;
            } catch (UnrenderableRowException e) {
                // Absent beats wrong: what the family wrote for the row before is not what the database holds now.
                DeadLetters.setAside(context, record, f.name(), e.getMessage(), counters);
                List<CacheWrite> deletes = f.deletesOf(primaryKey, effective, remember ? recall(memoryKey).keys()
                        : Set.of(), context.currentSystemTimeMs());
                if (remember) {
                    remember(memoryKey, new KeyMemory(change.version(), Set.of()));
                }
                sink.write(f.name(), deletes);
                continue;
            }
            if (remember) {
                remember(memoryKey, new KeyMemory(change.version(), mapping.currentKeys()));
            }
            sink.write(f.name(), superseded ? History.deletesOnly(mapping.writes()) : mapping.writes());
        }
    }

    /**
     * The change with the columns PostgreSQL did not send (unchanged TOASTed values) filled in, from the old row
     * when it came whole (REPLICA IDENTITY FULL) or from the values remembered for the row; those still unknown stay
     * listed as unavailable. Remembers the row's TOASTable columns for the next such change.
     */
    private RowChange withRememberedColumns(String key, RowChange change) {
        if (remembered.isEmpty() && change.unavailable().isEmpty()) {
            return change;
        }
        if (Boolean.TRUE.equals(change.storedInline())) {
            // A snapshot row with no value TOASTed: an update can omit a value only once a delivered change has moved
            // it out of line, and that change, carrying it whole, is remembered. An older memory of the row is never
            // read before then (that change replaces it), so it is neither read nor written here. (docs/design.md)
            return change;
        }
        if (change.isDelete()) {
            if (columnMemory != null) {
                columnMemory.delete(key);
            }
            return change;
        }
        ObjectNode stored = columnMemory == null ? null : parseMemory(columnMemory.get(key));
        RowChange effective = change;
        if (!change.unavailable().isEmpty()) {
            ObjectNode row = change.row().deepCopy();
            List<String> still = new ArrayList<>();
            for (String column : change.unavailable()) {
                JsonNode value = change.before() != null && change.before().has(column) ? change.before().get(column)
                        : stored != null && stored.path("columns").has(column) ? stored.path("columns").get(column) : null;
                if (value == null) {
                    still.add(column);
                } else {
                    row.set(column, value);
                }
            }
            effective = change.withRow(row, still);
        }
        if (columnMemory != null && (stored == null || !Version.fromJson(stored.get("version")).isNewerThan(change.version()))) {
            ObjectNode memory = JsonNodeFactory.instance.objectNode();
            memory.put("version", change.version().text());
            ObjectNode columns = memory.putObject("columns");
            for (String column : rememberedOf(effective, stored)) {
                if (effective.row().has(column) && !effective.unavailable().contains(column)) {
                    columns.set(column, effective.row().get(column));
                } else if (stored != null && stored.path("columns").has(column)) {
                    columns.set(column, stored.path("columns").get(column));
                }
            }
            columnMemory.put(key, RowChangeCodec.writeJson(memory));
        }
        return effective;
    }

    /** The columns to remember of this row: those named, or every column it carries and those remembered before. */
    private Set<String> rememberedOf(RowChange change, ObjectNode stored) {
        if (!remembered.contains(ColumnMemory.EVERY_COLUMN)) {
            return remembered;
        }
        Set<String> columns = new java.util.LinkedHashSet<>();
        change.row().fieldNames().forEachRemaining(columns::add);
        if (stored != null) {
            stored.path("columns").fieldNames().forEachRemaining(columns::add);
        }
        return columns;
    }

    private static ObjectNode parseMemory(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return (ObjectNode) RowChangeCodec.json().readTree(stored);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("the column memory holds something that is not JSON: " + stored, e);
        }
    }

    private void warnUnavailable(KeyFamily family, String table, String column) {
        if (warned.add(family.name())) {
            LOG.atWarn().addKeyValue("event", "value_unavailable").addKeyValue("family", family.name())
                    .addKeyValue("column", column).log("Family {} reads column {} of {}, which PostgreSQL did not send"
                            + " with an update (an unchanged TOASTed value) and which Warmer had not seen: the row's keys"
                            + " are deleted instead of written without it. ALTER TABLE {} REPLICA IDENTITY FULL sends it with"
                            + " every update.", family.name(), column, table, table);
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
