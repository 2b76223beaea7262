package io.warmer.family;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether a family's writes are applied only when newer than what the key holds, and how long a
 * deleted key remembers its version so that a replay of older changes cannot bring it back.
 */
public record Fencing(boolean enabled, Duration tombstoneTtl) {

    /** Compaction keeps a deleted row's tombstone this long by default (delete.retention.ms). */
    public static final Duration DEFAULT_TOMBSTONE_TTL = Duration.ofHours(24);
    public static final Fencing ON = new Fencing(true, DEFAULT_TOMBSTONE_TTL);
    public static final Fencing OFF = new Fencing(false, DEFAULT_TOMBSTONE_TTL);

    public Fencing {
        Objects.requireNonNull(tombstoneTtl, "tombstoneTtl");
    }
}
