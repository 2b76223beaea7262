package io.warmer.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.family.CacheWrite;
import io.warmer.family.Join;
import io.warmer.family.KeyFamily;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The state of a joined family for its main rows: the main row with its version (LSN) and, per
 * join, the joined rows that belong to it with a count of the changes applied to them. The value's
 * version is the main row's version plus those counts: it grows with every change on any side (a
 * joined row leaving counts), even among snapshot rows, which all share one LSN; and a replay, which
 * has applied no more changes than the live pipeline, computes no larger versions, which fencing
 * refuses.
 */
final class JoinedRows {

    private final KeyFamily family;
    private final KeyValueStore<String, String> mains;
    private final List<KeyValueStore<String, String>> joined;

    JoinedRows(KeyFamily family, KeyValueStore<String, String> mains, List<KeyValueStore<String, String>> joined) {
        this.family = family;
        this.mains = mains;
        this.joined = joined;
    }

    /** A change of the main row; returns the cache writes. */
    List<CacheWrite> mainChanged(String mainKey, RowChange change, long nowMs) {
        ObjectNode primaryKey = RowChangeCodec.readKey(mainKey);
        String stored = mains.get(mainKey);
        ObjectNode previous = stored == null ? null : parse(stored);
        Set<String> previousKeys = previous == null ? Set.of() : keysOf(previous);
        if (change.isDelete()) {
            mains.delete(mainKey);
            long version = change.version() + joinedVersions(mainKey);
            return family.map(primaryKey, new RowChange(Operation.DELETE, version, change.commitTimeMs(), change.table(),
                    null, change.before()), previousKeys, nowMs).writes();
        }
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put("version", change.version());
        entry.set("row", change.row());
        entry.set("keys", previous == null ? JsonNodeFactory.instance.arrayNode() : previous.withArray("keys"));
        mains.put(mainKey, RowChangeCodec.writeJson(entry));
        return render(mainKey, nowMs);
    }

    /** A joined row arrived at or left the main row; returns the cache writes (none without a main row). */
    List<CacheWrite> joinedChanged(int join, String mainKey, String delta, long nowMs) {
        ObjectNode change = parse(delta);
        KeyValueStore<String, String> store = joined.get(join);
        ObjectNode state = store.get(mainKey) == null ? emptyJoinState() : parse(store.get(mainKey));
        ObjectNode rows = (ObjectNode) state.get("rows");
        String rowKey = change.path("key").asText();
        if (change.hasNonNull("row")) {
            rows.set(rowKey, change.get("row"));
        } else {
            rows.remove(rowKey);
        }
        state.put("version", state.path("version").asLong() + 1);
        store.put(mainKey, RowChangeCodec.writeJson(state));
        return render(mainKey, nowMs);
    }

    private List<CacheWrite> render(String mainKey, long nowMs) {
        String main = mains.get(mainKey);
        if (main == null) {
            return List.of(); // joined rows wait for their main row
        }
        ObjectNode entry = parse(main);
        ObjectNode row = ((ObjectNode) entry.get("row")).deepCopy();
        long version = entry.path("version").asLong();
        for (int i = 0; i < family.joins().size(); i++) {
            Join join = family.joins().get(i);
            String state = joined.get(i).get(mainKey);
            ObjectNode joinState = state == null ? emptyJoinState() : parse(state);
            version += joinState.path("version").asLong();
            row.set(join.as(), join.render(inKeyOrder((ObjectNode) joinState.get("rows"))));
        }
        RowChange combined = new RowChange(Operation.UPDATE, version, 0, family.table().qualified(), row, null);
        // The keys last written for this main row, so that a key made of other columns follows changes.
        KeyFamily.Mapping mapping = family.map(RowChangeCodec.readKey(mainKey), combined, keysOf(entry), nowMs);
        var keys = entry.putArray("keys");
        mapping.currentKeys().forEach(keys::add);
        mains.put(mainKey, RowChangeCodec.writeJson(entry));
        return mapping.writes();
    }

    private static Set<String> keysOf(ObjectNode entry) {
        Set<String> keys = new java.util.LinkedHashSet<>();
        entry.path("keys").forEach(k -> keys.add(k.asText()));
        return keys;
    }

    private long joinedVersions(String mainKey) {
        long sum = 0;
        for (KeyValueStore<String, String> store : joined) {
            String state = store.get(mainKey);
            sum += state == null ? 0 : parse(state).path("version").asLong();
        }
        return sum;
    }

    /** Joined rows ordered by their primary key (numbers as numbers), so every replay writes the same bytes. */
    private static List<JsonNode> inKeyOrder(ObjectNode rows) {
        List<String> keys = new ArrayList<>();
        rows.fieldNames().forEachRemaining(keys::add);
        keys.sort(Comparator.comparing(JoinedRows::parse, JoinedRows::compareKeys));
        List<JsonNode> ordered = new ArrayList<>();
        keys.forEach(k -> ordered.add(rows.get(k)));
        return ordered;
    }

    private static int compareKeys(ObjectNode a, ObjectNode b) {
        var left = a.elements();
        var right = b.elements();
        while (left.hasNext() && right.hasNext()) {
            JsonNode x = left.next();
            JsonNode y = right.next();
            int c = x.isNumber() && y.isNumber() ? x.decimalValue().compareTo(y.decimalValue()) : x.asText().compareTo(y.asText());
            if (c != 0) {
                return c;
            }
        }
        return Boolean.compare(left.hasNext(), right.hasNext());
    }

    private static ObjectNode emptyJoinState() {
        ObjectNode state = JsonNodeFactory.instance.objectNode();
        state.put("version", 0);
        state.putObject("rows");
        return state;
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) RowChangeCodec.json().readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new MalformedChangeException("not a join record: " + json, e);
        }
    }
}
