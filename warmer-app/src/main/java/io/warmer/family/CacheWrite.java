package io.warmer.family;

import java.time.Duration;
import java.util.Objects;

/** One operation on the cache, produced by a family from one row change. */
public sealed interface CacheWrite {

    String key();

    /** The source version of the row change that produced this write. */
    long version();

    /** Store {@code value} under {@code key}, expiring after {@code ttl} (null: never). */
    record Put(String key, String value, Duration ttl, long version) implements CacheWrite {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Remove {@code key}. */
    record Delete(String key, long version) implements CacheWrite {
        public Delete {
            Objects.requireNonNull(key, "key");
        }
    }
}
