package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import io.warmer.change.TableId;
import io.warmer.family.Expiry;
import io.warmer.family.Fencing;
import io.warmer.family.KeyFamily;
import io.warmer.family.KeyTemplate;
import java.time.Duration;
import java.util.List;

/**
 * One entry of {@code families}: a kind of cache entry.
 *
 * @param name    unique, used in topic-independent names such as state stores and metrics
 * @param table   {@code schema.table} (a bare name means {@code public})
 * @param key     the key template, e.g. {@code v2:user:${id}:profile}
 * @param columns the columns of the JSON value; absent means every column
 * @param ttl     expiry after each write, e.g. {@code 1h}; absent means none
 * @param ttlColumn a timestamp column holding when the entry expires (instead of {@code ttl})
 * @param ttlJitter spread of the TTL, e.g. {@code 10%} for ±10%; none by default
 * @param fencing apply a write only if its row version is newer than the key's; {@link #DEFAULT_FENCING}
 * @param tombstoneTtl how long a deleted key's version is kept; {@link Fencing#DEFAULT_TOMBSTONE_TTL}
 */
public record FamilyConfig(String name, TableId table, KeyTemplate key, List<String> columns, Duration ttl,
                           String ttlColumn, String ttlJitter, Boolean fencing, Duration tombstoneTtl) {

    public static final boolean DEFAULT_FENCING = true;

    public FamilyConfig {
        require(name, "name", "user-profile-v2");
        if (!name.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new InvalidFieldException("name", "found '" + name
                    + "', expected lower-case letters, digits, '-' and '_', e.g. user-profile-v2");
        }
        require(table, "table", "public.users");
        require(key, "key", "v2:user:${id}:profile");
        columns = columns == null ? List.of() : List.copyOf(columns);
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            throw new InvalidFieldException("ttl", "found " + ttl + ", expected a positive duration such as 1h (or no ttl)");
        }
        if (ttl != null && ttlColumn != null) {
            throw new InvalidFieldException("ttl-column", "found both ttl and ttl-column, expected one of them");
        }
        if (ttlJitter != null) {
            if (ttl == null && ttlColumn == null) {
                throw new InvalidFieldException("ttl-jitter", "found a jitter without ttl or ttl-column to spread");
            }
            jitterFraction(ttlJitter);
        }
        fencing = fencing == null ? DEFAULT_FENCING : fencing;
        tombstoneTtl = tombstoneTtl == null ? Fencing.DEFAULT_TOMBSTONE_TTL : tombstoneTtl;
        if (tombstoneTtl.isNegative() || tombstoneTtl.isZero()) {
            throw new InvalidFieldException("tombstone-ttl", "found " + tombstoneTtl + ", expected a positive duration such as 24h");
        }
    }

    public KeyFamily toKeyFamily() {
        Expiry expiry = ttl == null && ttlColumn == null ? Expiry.NONE
                : new Expiry(ttl, ttlColumn, ttlJitter == null ? 0 : jitterFraction(ttlJitter));
        return new KeyFamily(name, table, key, columns, expiry, new Fencing(fencing, tombstoneTtl));
    }

    /** The columns this family reads from a row. */
    public java.util.Set<String> usedColumns() {
        var used = new java.util.LinkedHashSet<>(key.columns());
        used.addAll(columns);
        if (ttlColumn != null) {
            used.add(ttlColumn);
        }
        return used;
    }

    private static double jitterFraction(String text) {
        String t = text.trim();
        try {
            double value = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
            if (value >= 0 && value < 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, with what is accepted
        }
        throw new InvalidFieldException("ttl-jitter", "found '" + text + "', expected a share below 100% such as 10%");
    }
}
