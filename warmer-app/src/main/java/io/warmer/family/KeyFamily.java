package io.warmer.family;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.Operation;
import io.warmer.change.RowChange;
import io.warmer.change.TableId;
import io.warmer.change.Version;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One kind of cache entry, e.g. "user profile, v2": which table it comes from, the key(s) it is
 * stored under, which rows have one, the value applications read and how long it lives.
 * {@link #map} is a pure function of the change and what the family last wrote for the row.
 *
 * @param keys    every key a row is written under, e.g. the new format and the legacy one
 * @param where   which rows have entries; a row that stops matching has them removed
 * @param value   the bytes under each key
 * @param expiry  how long an entry lives after its last write
 * @param fencing whether an older change may overwrite a newer one (it may not, when enabled)
 * @param joins   rows of other tables folded into the value (see {@link Join})
 */
public record KeyFamily(String name, TableId table, List<KeyTemplate> keys, RowFilter where, ValueShape value,
                        Expiry expiry, Fencing fencing, List<Join> joins) {

    public KeyFamily(String name, TableId table, List<KeyTemplate> keys, RowFilter where, ValueShape value,
                     Expiry expiry, Fencing fencing) {
        this(name, table, keys, where, value, expiry, fencing, List.of());
    }

    public KeyFamily {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(table, "table");
        keys = List.copyOf(keys);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a family needs at least one key template");
        }
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiry, "expiry");
        Objects.requireNonNull(fencing, "fencing");
        joins = joins == null ? List.of() : List.copyOf(joins);
    }

    /** The result of one change: the writes, and the keys the row now has (for {@link #needsKeyMemory}). */
    public record Mapping(List<CacheWrite> writes, Set<String> currentKeys) {
    }

    /**
     * Whether the keys of a row can change while its primary key stays: a template uses a column
     * outside the primary key. Only then must the keys last written be remembered, to delete them
     * when they change or when the row is deleted without a full before-image.
     */
    public boolean needsKeyMemory(ObjectNode primaryKey) {
        for (KeyTemplate template : keys) {
            for (String column : template.columns()) {
                if (!primaryKey.has(column)) {
                    return true;
                }
            }
        }
        if (value instanceof ValueShape.Members members) {
            return members.member().columns().stream().anyMatch(c -> !primaryKey.has(c));
        }
        return false;
    }

    /**
     * What a row of a {@link ValueShape.Members} family has in Redis, as the family remembers it: a key and the
     * member the row is there. NUL cannot occur in PostgreSQL text, so it cannot be part of a key or member.
     */
    static String entryOf(String key, String member) {
        return key + ENTRY + member;
    }

    private static final char ENTRY = '\u0000';

    /**
     * The cache writes for one change of a row of {@link #table()}.
     *
     * @param primaryKey   the row's primary key (the change record's key)
     * @param previousKeys the keys last written for this row, when remembered; empty otherwise
     * @param nowMs        the wall-clock time, for TTLs taken from a column
     * @throws UnrenderableRowException when the row cannot be turned into a key or value
     */
    public Mapping map(ObjectNode primaryKey, RowChange change, Set<String> previousKeys, long nowMs) {
        if (!change.isDelete()) {
            requireColumns(change);
        }
        if (value instanceof ValueShape.Members members) {
            return mapMembers(members, primaryKey, change, previousKeys);
        }
        if (change.isDelete()) {
            Set<String> gone = new LinkedHashSet<>(previousKeys);
            ObjectNode known = primaryKey.deepCopy();
            if (change.before() != null) {
                known.setAll(change.before());
            }
            gone.addAll(renderableKeys(known));
            return new Mapping(deletes(gone, change.version()), Set.of());
        }
        ObjectNode row = change.row();
        if (!where.matches(row) || value instanceof ValueShape.Joined joined && joined.absentIn(row)) {
            Set<String> gone = new LinkedHashSet<>(previousKeys);
            if (change.op() == Operation.UPDATE) {
                gone.addAll(renderableKeys(row)); // it may have matched before this update
            }
            return new Mapping(deletes(gone, change.version()), Set.of());
        }
        Set<String> current = new LinkedHashSet<>();
        for (KeyTemplate template : keys) {
            current.add(template.render(row));
        }
        List<CacheWrite> writes = new ArrayList<>();
        for (String old : previousKeys) {
            if (!current.contains(old)) {
                writes.add(new CacheWrite.Delete(old, change.version(), fencing));
            }
        }
        String rendered = null;
        Map<String, String> hashFields = null;
        for (String key : current) {
            Duration ttl = expiry.ttlFor(key, row, nowMs);
            if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
                writes.add(new CacheWrite.Delete(key, change.version(), fencing)); // past its expiry column
                continue;
            }
            if (value instanceof ValueShape.Hash hash) {
                hashFields = hashFields == null ? hash.fields(row) : hashFields;
                writes.add(new CacheWrite.PutHash(key, hashFields, ttl, change.version(), fencing));
                continue;
            }
            rendered = rendered == null ? value.render(row) : rendered;
            writes.add(new CacheWrite.Put(key, rendered, ttl, change.version(), fencing));
        }
        return new Mapping(writes, current);
    }

    /**
     * A change of a row of a set or sorted-set family: the row's member leaves the keys it no longer renders (and
     * every key, when the row is deleted or stops matching) and is added to, or rescored in, those it renders now.
     * {@code previous} and the result's current keys are {@link #entryOf entries}, key and member.
     */
    private Mapping mapMembers(ValueShape.Members members, ObjectNode primaryKey, RowChange change,
                               Set<String> previous) {
        Version version = change.version();
        Set<String> gone = new LinkedHashSet<>(previous);
        if (change.isDelete()) {
            ObjectNode known = primaryKey.deepCopy();
            if (change.before() != null) {
                known.setAll(change.before());
            }
            gone.addAll(renderableEntries(members, known));
            return new Mapping(removals(members, gone, version), Set.of());
        }
        ObjectNode row = change.row();
        if (!where.matches(row)) {
            if (change.op() == Operation.UPDATE) {
                gone.addAll(renderableEntries(members, row)); // it may have matched before this update
            }
            return new Mapping(removals(members, gone, version), Set.of());
        }
        String member = members.memberOf(row);
        Double score = members.sorted() ? members.scoreOf(row) : null;
        Set<String> current = new LinkedHashSet<>();
        for (KeyTemplate template : keys) {
            current.add(entryOf(template.render(row), member));
        }
        gone.removeAll(current);
        List<CacheWrite> writes = new ArrayList<>(removals(members, gone, version));
        for (String entry : current) {
            writes.add(new CacheWrite.AddMember(entry.substring(0, entry.indexOf(ENTRY)), member, score, members.cap(),
                    version, fencing));
        }
        return new Mapping(writes, current);
    }

    private Set<String> renderableEntries(ValueShape.Members members, ObjectNode row) {
        Set<String> entries = new LinkedHashSet<>();
        if (!members.member().columns().stream().allMatch(row::has)) {
            return entries;
        }
        String member;
        try {
            member = members.memberOf(row);
        } catch (UnrenderableRowException e) {
            return entries;
        }
        for (String key : renderableKeys(row)) {
            entries.add(entryOf(key, member));
        }
        return entries;
    }

    private List<CacheWrite> removals(ValueShape.Members members, Set<String> entries, Version version) {
        List<CacheWrite> writes = new ArrayList<>();
        for (String entry : entries) {
            int at = entry.indexOf(ENTRY);
            if (at < 0) {
                continue; // remembered before the family was a set: nothing of it is a member
            }
            writes.add(new CacheWrite.RemoveMember(entry.substring(0, at), entry.substring(at + 1), members.sorted(),
                    members.cap(), version, fencing));
        }
        return writes;
    }

    /**
     * The deletes of every key the row has, for when it cannot be rendered whole: what the change says of it (its
     * row as far as sent, the row before), and the keys last written.
     */
    public List<CacheWrite> deletesOf(ObjectNode primaryKey, RowChange change, Set<String> previousKeys, long nowMs) {
        ObjectNode known = change.row() == null ? primaryKey.deepCopy() : change.row().deepCopy();
        if (change.before() != null) {
            change.before().fields().forEachRemaining(f -> {
                if (!known.has(f.getKey())) {
                    known.set(f.getKey(), f.getValue());
                }
            });
        }
        RowChange deleted = new RowChange(Operation.DELETE, change.version(), change.commitTimeMs(), change.table(),
                null, known);
        return map(primaryKey, deleted, previousKeys, nowMs).writes();
    }

    /** Whether the family reads {@code column}: in its keys, filter, value (every column of a whole-row value) or TTL. */
    public boolean reads(String column) {
        return usedColumns().contains(column) || value.columns().isEmpty()
                && joins.stream().noneMatch(j -> j.fields().contains(column));
    }

    /**
     * A column the family names that is not in the change (dropped or renamed), or whose type changed while the
     * capture ran. Rendering without it would write a value with it missing (or null), which the database never held;
     * rendering it in its new type would hand readers a shape the family was not configured for.
     */
    private void requireColumns(RowChange change) {
        List<String> missing = new ArrayList<>();
        List<String> retyped = new ArrayList<>();
        for (String column : usedColumns()) {
            if (!change.row().has(column) && !change.unavailable().contains(column)) {
                missing.add(column);
            } else if (change.retyped().contains(column)) {
                retyped.add(column);
            }
        }
        if (!missing.isEmpty() || !retyped.isEmpty()) {
            throw new ChangedColumnsException(name, change.table(), missing, retyped);
        }
    }

    /** The columns this family reads from a row: keys, filter, value and TTL column. */
    public Set<String> usedColumns() {
        Set<String> used = new LinkedHashSet<>();
        keys.forEach(k -> used.addAll(k.columns()));
        used.addAll(where.columns());
        used.addAll(value.columns());
        joins.forEach(j -> j.fields().forEach(used::remove)); // filled from the joined table, not a column
        joins.forEach(j -> used.addAll(j.mainColumns())); // what a lookup or a match finds its rows by
        used.addAll(expiry.columns());
        return used;
    }

    private Set<String> renderableKeys(ObjectNode row) {
        Set<String> rendered = new LinkedHashSet<>();
        for (KeyTemplate template : keys) {
            template.tryRender(row).ifPresent(rendered::add);
        }
        return rendered;
    }

    private List<CacheWrite> deletes(Set<String> keysToDelete, Version version) {
        List<CacheWrite> writes = new ArrayList<>();
        for (String key : keysToDelete) {
            writes.add(new CacheWrite.Delete(key, version, fencing));
        }
        return writes;
    }
}
