package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import io.warmer.change.TableId;
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
 */
public record FamilyConfig(String name, TableId table, KeyTemplate key, List<String> columns, Duration ttl) {

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
    }

    public KeyFamily toKeyFamily() {
        return new KeyFamily(name, table, key, columns, ttl);
    }
}
