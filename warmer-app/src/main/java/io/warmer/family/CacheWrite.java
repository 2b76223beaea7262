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

    /** Whether it takes something away (a key, a member): what a replay's superseded record still applies. */
    default boolean removes() {
        return this instanceof Delete || this instanceof RemoveMember;
    }

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

    /**
     * Add {@code member} to the set under {@code key} (a sorted set when {@code score} is not null, with that score),
     * or move it to that score. Fencing compares the member's own version, not the key's: the members of one key
     * come from many rows.
     *
     * @param cap of a sorted set, how many members the key shows at most (the highest-scored; the others wait beside
     *            it, see FencedWrites#restKeyOf), 0 for all
     */
    record AddMember(String key, String member, Double score, int cap, Version version, Fencing fencing)
            implements CacheWrite {
        public AddMember {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(fencing, "fencing");
            if (cap < 0 || cap > 0 && score == null) {
                throw new IllegalArgumentException("a cap of " + cap + (score == null ? " for a set" : ""));
            }
        }

        public AddMember(String key, String member, Double score, Version version, Fencing fencing) {
            this(key, member, score, 0, version, fencing);
        }

        /** The score as Redis is sent it and gives it back: a whole number without a fraction. */
        public String scoreText() {
            double s = score;
            return s == Math.rint(s) && Math.abs(s) < 1e15 ? Long.toString((long) s) : Double.toString(s);
        }
    }

    /**
     * Remove {@code member} from the set (or the sorted set, {@code sorted}) under {@code key}.
     *
     * @param cap of a capped sorted set, its cap: the member may be one of those waiting beside the key, and one of
     *            them takes the place of a member the key showed; 0 for none
     */
    record RemoveMember(String key, String member, boolean sorted, int cap, Version version, Fencing fencing)
            implements CacheWrite {
        public RemoveMember {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(fencing, "fencing");
            if (cap < 0 || cap > 0 && !sorted) {
                throw new IllegalArgumentException("a cap of " + cap + (sorted ? "" : " for a set"));
            }
        }

        public RemoveMember(String key, String member, boolean sorted, Version version, Fencing fencing) {
            this(key, member, sorted, 0, version, fencing);
        }
    }
}
