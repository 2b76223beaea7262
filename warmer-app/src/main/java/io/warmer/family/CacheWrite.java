package io.warmer.family;

import io.warmer.change.Version;
import java.time.Duration;
import java.util.Objects;

/** One operation on the cache, produced by a family from one row change. */
public sealed interface CacheWrite {

    String key();

    /** The version of the row change that produced this write: what fencing compares. */
    Version version();

    /** Whether the write applies only when {@link #version()} is newer than the key's. */
    Fencing fencing();

    /** Store {@code value} under {@code key}, expiring after {@code ttl} (null: never). */
    record Put(String key, String value, Duration ttl, Version version, Fencing fencing) implements CacheWrite {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(fencing, "fencing");
        }
    }

    /** Replace the hash under {@code key} with {@code fields}, expiring after {@code ttl} (null: never). */
    record PutHash(String key, java.util.Map<String, String> fields, Duration ttl, Version version, Fencing fencing)
            implements CacheWrite {
        public PutHash {
            Objects.requireNonNull(key, "key");
            fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(fencing, "fencing");
        }
    }

    /** Remove {@code key}. */
    record Delete(String key, Version version, Fencing fencing) implements CacheWrite {
        public Delete {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(fencing, "fencing");
        }
    }
}
