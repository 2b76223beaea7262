package io.warmer.family;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warmer.change.RowChange;
import io.warmer.change.RowChangeCodec;
import io.warmer.change.TableId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One kind of cache entry, e.g. "user profile, v2": which table it comes from, the key it is stored
 * under, the value applications read and how long it lives. {@link #map} is a pure function.
 *
 * @param columns the columns of the JSON value, in this order; empty means every column of the row
 * @param expiry  how long an entry lives after its last write
 * @param fencing whether an older change may overwrite a newer one (it may not, when enabled)
 */
public record KeyFamily(String name, TableId table, KeyTemplate key, List<String> columns, Expiry expiry,
                        Fencing fencing) {

    public KeyFamily {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(key, "key");
        columns = columns == null ? List.of() : List.copyOf(columns);
        Objects.requireNonNull(fencing, "fencing");
        Objects.requireNonNull(expiry, "expiry");
    }

    /**
     * The cache writes for one change of a row of {@link #table()}.
     *
     * @param primaryKey the row's primary key (the change record's key), used to find the key of a
     *                   deleted row whose before-image holds only the primary key
     * @param nowMs      the wall-clock time, for TTLs taken from a column
     * @throws UnrenderableRowException when the row cannot be turned into a key or value
     */
    public List<CacheWrite> map(ObjectNode primaryKey, RowChange change, long nowMs) {
        if (change.isDelete()) {
            ObjectNode known = primaryKey.deepCopy();
            if (change.before() != null) {
                known.setAll(change.before());
            }
            return List.of(new CacheWrite.Delete(key.render(known), change.version(), fencing));
        }
        String rendered = key.render(change.row());
        Duration ttl = expiry.ttlFor(rendered, change.row(), nowMs);
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            // Already past its expiry column: the entry must not exist.
            return List.of(new CacheWrite.Delete(rendered, change.version(), fencing));
        }
        String value = RowChangeCodec.writeJson(valueOf(change.row()));
        return List.of(new CacheWrite.Put(rendered, value, ttl, change.version(), fencing));
    }

    private ObjectNode valueOf(ObjectNode row) {
        if (columns.isEmpty()) {
            return row;
        }
        ObjectNode value = JsonNodeFactory.instance.objectNode();
        for (String column : columns) {
            value.set(column, row.get(column));
        }
        return value;
    }
}
