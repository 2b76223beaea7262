package io.warmer.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.MalformedChangeException;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.Version;
import io.warmer.family.Join;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The state of a joined family for its main rows: the main row with its version and, per join, the joined rows
 * that belong to it with a count of the changes applied to them. The value's version is the main row's version
 * followed by the total of those counts ({@link Version#then}): it grows with every change on any side (a joined row
 * leaving counts), and a replay, which has applied no more changes than the live pipeline, computes no larger
 * versions, which fencing refuses.
 *
 * <p>The main row kept is the newest by version: a change older than it (a change the stream delivers again after a
 * restart, once a snapshot row newer than it was applied) is ignored, so that a joined change re-rendering the value
 * never renders an older main row.
 */
final class JoinedRows<W> {

    private final Assembly<W> family;
    private final KeyValueStore<String, String> mains;
    private final List<KeyValueStore<String, String>> joined;

    JoinedRows(Assembly<W> family, KeyValueStore<String, String> mains, List<KeyValueStore<String, String>> joined) {
        this.family = family;
        this.mains = mains;
        this.joined = joined;
    }

    /** A change of the main row; returns what the rows become (the family's cache writes, or the level above's rows). */
    List<W> mainChanged(String mainKey, RowChange change, long nowMs) {
        String stored = mains.get(mainKey);
        ObjectNode previous = stored == null ? null : parse(stored);
        if (previous != null && versionOf(previous).isNewerThan(change.version())) {
            return List.of(); // older than the main row applied: its values are in the past
        }
        Set<String> previousKeys = previous == null ? Set.of() : keysOf(previous);
        if (change.isDelete()) {
            mains.delete(mainKey);
            return delete(mainKey, change.version(), change.before(), previousKeys, nowMs);
        }
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put("version", change.version().text());
        UnsentColumns.Filled filled = UnsentColumns.fill(change.row(), change.unavailable(),
                previous == null ? null : (ObjectNode) previous.get("row"),
                previous == null ? null : previous.get("unavailable"));
        entry.set("row", filled.row());
        if (filled.unknownArray() != null) {
            entry.set("unavailable", filled.unknownArray()); // keep the family from rendering until a change sends them
        }
        entry.set("keys", previous == null ? JsonNodeFactory.instance.arrayNode() : previous.withArray("keys"));
        mains.put(mainKey, RowChangeCodec.writeJson(entry));
        for (int i = 0; i < family.joins().size(); i++) {
            Join join = family.joins().get(i);
            if (join.subscribes() && (previous == null || !java.util.Objects.equals(
                    join.subscriptionKeyOf(previous.get("row")), join.subscriptionKeyOf(entry.get("row"))))) {
                pointedAnew(i, mainKey, change.version());
            }
        }
        return render(mainKey, entry, -1, null, nowMs);
    }

    /**
     * The main row points at another subject (or exists again): what the join held is another subject's, or was not
     * kept up while the row was elsewhere, so it is dropped, and only the answer to the request made now brings rows.
     * The count stays, so that versions keep growing.
     */
    private void pointedAnew(int join, String mainKey, Version version) {
        ObjectNode state = stateOf(join, mainKey);
        clearRows(state);
        state.remove("for");
        state.put("asked", version.text());
        joined.get(join).put(mainKey, RowChangeCodec.writeJson(state));
    }

    /**
     * The id of the main row's current request for the rows of a lookup or match join, which its answer repeats (see
     * {@link Subscribers}).
     */
    String askedBy(int join, String mainKey) {
        ObjectNode state = stateOf(join, mainKey);
        if (!state.hasNonNull("asked")) {
            // A state kept from before requests had ids: this request starts the period.
            String main = mains.get(mainKey);
            state.put("asked", main == null ? Version.ZERO.text() : versionOf(parse(main)).text());
            joined.get(join).put(mainKey, RowChangeCodec.writeJson(state));
        }
        return state.get("asked").asText();
    }

    private ObjectNode stateOf(int join, String mainKey) {
        String state = joined.get(join).get(mainKey);
        return state == null ? emptyJoinState() : parse(state);
    }

    private static void clearRows(ObjectNode state) {
        state.putObject("rows");
        state.remove("versions");
        state.remove("rowVersion"); // what a lookup's state held before per-row versions
        state.remove("unavailable");
        state.remove("broken");
    }

    /**
     * A change of the main row the family cannot render (a column it reads is gone or retyped): the row's keys are
     * deleted, and the stored row is marked, so that no joined change renders it either until a change the family can
     * render replaces it.
     */
    List<W> mainUnrenderable(String mainKey, RowChange change, long nowMs) {
        String stored = mains.get(mainKey);
        ObjectNode previous = stored == null ? null : parse(stored);
        if (previous != null && versionOf(previous).isNewerThan(change.version())) {
            return List.of();
        }
        Set<String> previousKeys = previous == null ? Set.of() : keysOf(previous);
        if (previous != null) {
            previous.put("version", change.version().text());
            previous.put("broken", true);
            previous.putArray("keys");
            mains.put(mainKey, RowChangeCodec.writeJson(previous));
        }
        RowChange versioned = new RowChange(change.op(), change.version().then(joinedCount(mainKey)),
                change.commitTimeMs(), change.table(), change.row(), change.before(), change.unavailable(),
                change.retyped());
        return family.withhold(mainKey, RowChangeCodec.readKey(mainKey), versioned, previousKeys, nowMs);
    }

    /** Per join, what the stored main row subscribes to (null for a join on the main key, or no main row). */
    List<String> subscriptionKeys(String mainKey) {
        String stored = mains.get(mainKey);
        JsonNode row = stored == null ? null : parse(stored).get("row");
        List<String> keys = new ArrayList<>();
        for (Join join : family.joins()) {
            keys.add(row == null ? null : join.subscriptionKeyOf(row));
        }
        return keys;
    }

    /** Whether a lookup's or match's state holds the answer for the subject the main row points at. */
    boolean answered(int join, String mainKey, String subject) {
        String state = joined.get(join).get(mainKey);
        return state != null && subject.equals(parse(state).path("for").asText(null));
    }

    /**
     * Whether a delta about {@code subject} still concerns the main row: always for a join on the main key (its
     * router sends it only where the row belongs); for a lookup or a match, only while the main row points at it.
     */
    boolean pointsAt(int join, String mainKey, String subject) {
        Join j = family.joins().get(join);
        if (!j.subscribes()) {
            return true;
        }
        String main = mains.get(mainKey);
        return main != null && subject.equals(j.subscriptionKeyOf(parse(main).get("row")));
    }

    /** What a delta of a lookup or match stage is about: the looked-up row's key, or the values matched. */
    String subjectOf(int join, String delta) {
        ObjectNode node = parse(delta);
        return family.joins().get(join).isMatch() ? node.path("for").asText() : node.path("key").asText();
    }

    /**
     * A joined row arrived at or left the main row, or (lookups and matches) the answer to the main row's request;
     * returns the cache writes (none without a main row).
     */
    List<W> joinedChanged(int join, String mainKey, String delta, long nowMs) {
        ObjectNode change = parse(delta);
        Join j = family.joins().get(join);
        ObjectNode state = stateOf(join, mainKey);
        if (j.subscribes()) {
            String subject = j.isMatch() ? change.path("for").asText() : change.path("key").asText();
            if (change.has("answer")) {
                if (!change.path("answer").asText().equals(state.path("asked").asText(null))) {
                    return List.of(); // to a request made before the main row last pointed anew: its own answer follows
                }
                // Everything the subject has now, replacing what was held.
                clearRows(state);
                state.put("for", subject);
                for (JsonNode row : j.isMatch() ? change.path("rows") : List.<JsonNode>of(change)) {
                    apply(state, (ObjectNode) row, true);
                }
            } else if (!subject.equals(state.path("for").asText(null)) || !apply(state, change, true)) {
                // Sent before the answer to the current request, which has its effect; or older than the row held.
                return List.of();
            }
        } else {
            apply(state, change, false);
        }
        state.put("count", countOf(state) + 1);
        state.remove("version"); // the name of the count before it was called so
        joined.get(join).put(mainKey, RowChangeCodec.writeJson(state));
        return render(mainKey, join, state, nowMs);
    }

    /**
     * A joined row's delta applied to the join's state: its row put in (unsent TOASTed values filled from the row
     * held), taken out, or marked as one the join cannot read.
     *
     * @param versioned whether to keep each row's version and refuse an older delta: for lookups and matches, whose
     *                  rows come from a stage that may send one again after an answer that has a newer one
     * @return false when refused
     */
    private static boolean apply(ObjectNode state, ObjectNode change, boolean versioned) {
        String rowKey = change.path("key").asText();
        if (versioned) {
            Version version = Version.fromJson(change.get("version"));
            JsonNode held = state.path("versions").get(rowKey);
            if (held == null && state.has("rowVersion") && rowKey.equals(state.path("for").asText(null))) {
                held = state.get("rowVersion"); // a lookup's state from before per-row versions
            }
            if (held != null && Version.fromJson(held).isNewerThan(version)) {
                return false;
            }
            state.with("versions").put(rowKey, version.text());
        }
        ObjectNode rows = (ObjectNode) state.get("rows");
        ObjectNode unknown = state.with("unavailable");
        ObjectNode broken = state.with("broken");
        broken.remove(rowKey);
        if (change.hasNonNull("broken")) {
            broken.set(rowKey, change.get("broken")); // the row stays as it was; the value is not rendered
        } else if (change.hasNonNull("row")) {
            UnsentColumns.Filled filled = UnsentColumns.fill((ObjectNode) change.get("row"),
                    UnsentColumns.names(change.get("unavailable")), (ObjectNode) rows.get(rowKey), unknown.get(rowKey));
            rows.set(rowKey, filled.row());
            unknown.remove(rowKey);
            if (filled.unknownArray() != null) {
                unknown.set(rowKey, filled.unknownArray());
            }
        } else {
            rows.remove(rowKey);
            unknown.remove(rowKey);
        }
        if (unknown.isEmpty()) {
            state.remove("unavailable");
        }
        if (broken.isEmpty()) {
            state.remove("broken");
        }
        return true;
    }

    /**
     * The snapshot of the main table is complete: every main row that still exists was written again since
     * {@code startVersion}, so a stored main row older than that was deleted while nothing captured it. Forgets each
     * and deletes its keys, so that no joined change brings it back.
     */
    List<W> snapshotCompleted(Version startVersion, long nowMs) {
        List<KeyValue<String, String>> orphans = new ArrayList<>();
        try (KeyValueIterator<String, String> all = mains.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> entry = all.next();
                if (startVersion.isNewerThan(versionOf(parse(entry.value)))) {
                    orphans.add(entry);
                }
            }
        }
        List<W> writes = new ArrayList<>();
        for (KeyValue<String, String> orphan : orphans) {
            mains.delete(orphan.key);
            writes.addAll(delete(orphan.key, startVersion, null, keysOf(parse(orphan.value)), nowMs));
        }
        return writes;
    }

    /** Part of {@link #renderAll}: the writes, and the last main key rendered (null once every one is). */
    record Rendered<W>(List<W> writes, String last) {
    }

    /**
     * The values of up to {@code limit} main rows after {@code after} (null: from the first), in key order: what a
     * held family writes once its replay has caught up ({@link History}).
     */
    Rendered<W> renderAll(String after, int limit, long nowMs) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, String> range = mains.range(after, null)) {
            while (range.hasNext() && keys.size() < limit) {
                String key = range.next().key;
                if (!key.equals(after)) {
                    keys.add(key);
                }
            }
        }
        List<W> writes = new ArrayList<>();
        for (String key : keys) {
            writes.addAll(render(key, nowMs));
        }
        return new Rendered<>(writes, keys.size() < limit ? null : keys.get(keys.size() - 1));
    }

    private List<W> delete(String mainKey, Version version, ObjectNode before, Set<String> previousKeys,
                                    long nowMs) {
        RowChange deleted = new RowChange(Operation.DELETE, version.then(joinedCount(mainKey)), 0,
                family.table().qualified(), null, before);
        return family.render(mainKey, RowChangeCodec.readKey(mainKey), deleted, previousKeys, nowMs).writes();
    }

    private List<W> render(String mainKey, long nowMs) {
        return render(mainKey, -1, null, nowMs);
    }

    /** The value of a main row as stored, with the state of {@code heldJoin} the caller holds (see below). */
    private List<W> render(String mainKey, int heldJoin, ObjectNode heldState, long nowMs) {
        String main = mains.get(mainKey);
        return main == null ? List.of() : render(mainKey, parse(main), heldJoin, heldState, nowMs); // joined rows wait
    }

    /**
     * The value of a main row from its entry and every join's state; the caller passes what it has just parsed or
     * built (for a joined family every change renders, so reading it from the store again would double the work).
     *
     * @param entry     the main row's entry, as stored
     * @param heldJoin  the join whose state the caller holds ({@code heldState}, as stored), or -1
     */
    private List<W> render(String mainKey, ObjectNode entry, int heldJoin, ObjectNode heldState, long nowMs) {
        ObjectNode row = ((ObjectNode) entry.get("row")).deepCopy();
        long count = 0;
        boolean unknown = hasReadColumn(entry.path("unavailable")) || entry.path("broken").asBoolean(false);
        for (int i = 0; i < family.joins().size(); i++) {
            Join join = family.joins().get(i);
            ObjectNode joinState;
            if (i == heldJoin) {
                joinState = heldState;
            } else {
                String state = joined.get(i).get(mainKey);
                joinState = state == null ? emptyJoinState() : parse(state);
            }
            count += countOf(joinState);
            if (join.subscribes()) {
                String pointedAt = join.subscriptionKeyOf(entry.get("row"));
                if (pointedAt == null) {
                    join.applyTo(row, List.of()); // points at no row
                    continue;
                }
                // Until the answer for what it points at now is in, the value would show another subject's rows.
                unknown |= !pointedAt.equals(joinState.path("for").asText(null));
            }
            unknown |= !joinState.path("broken").isEmpty(); // a joined row the join cannot read
            for (JsonNode columns : joinState.path("unavailable")) {
                for (JsonNode column : columns) {
                    unknown |= join.columns().isEmpty() || join.columns().contains(column.asText());
                }
            }
            join.applyTo(row, inKeyOrder((ObjectNode) joinState.get("rows")));
        }
        RowChange combined = new RowChange(Operation.UPDATE, versionOf(entry).then(count), 0,
                family.table().qualified(), row, null);
        if (unknown) {
            // A column the value shows was not sent and is not known: delete rather than write the value without it.
            return family.withhold(mainKey, RowChangeCodec.readKey(mainKey), combined, keysOf(entry), nowMs);
        }
        // The keys last written for this main row, so that a key made of other columns follows changes.
        Set<String> keysBefore = keysOf(entry);
        Assembly.Rendering<W> mapping = family.render(mainKey, RowChangeCodec.readKey(mainKey), combined, keysBefore,
                nowMs);
        if (!mapping.currentKeys().equals(keysBefore)) { // most changes keep the keys: no store write then
            var keys = entry.putArray("keys");
            mapping.currentKeys().forEach(keys::add);
            mains.put(mainKey, RowChangeCodec.writeJson(entry));
        }
        return mapping.writes();
    }

    private boolean hasReadColumn(JsonNode columns) {
        for (JsonNode column : columns) {
            if (family.reads(column.asText())) {
                return true;
            }
        }
        return false;
    }

    private static Version versionOf(ObjectNode entry) {
        return Version.fromJson(entry.get("version"));
    }

    private static long countOf(ObjectNode joinState) {
        return joinState.has("count") ? joinState.path("count").asLong() : joinState.path("version").asLong();
    }

    private static Set<String> keysOf(ObjectNode entry) {
        Set<String> keys = new java.util.LinkedHashSet<>();
        entry.path("keys").forEach(k -> keys.add(k.asText()));
        return keys;
    }

    private long joinedCount(String mainKey) {
        long sum = 0;
        for (KeyValueStore<String, String> store : joined) {
            String state = store.get(mainKey);
            sum += state == null ? 0 : countOf(parse(state));
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
        state.put("count", 0);
        state.putObject("rows");
        return state;
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) RowChangeCodec.manyNamesJson().readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new MalformedChangeException("not a join record: " + json, e);
        }
    }
}
