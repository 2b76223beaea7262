package io.warmer.monitor;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where one key family is in its warm-up. It goes forward, except that a family falling behind streams again. */
public enum FamilyStage {
    /** Not looked at yet. */
    STARTING,
    /** The capture is still reading the tables' existing rows. */
    SNAPSHOTTING,
    /** Added after the first start: its own materializer reads the change topics from their beginning to fill it. */
    BACKFILLING,
    /** Redis lost its data: the cache is rebuilt from the change topics beside live streaming. */
    REWARMING,
    /** The snapshot is done; the family follows changes but is not within the readiness targets yet. */
    STREAMING,
    /** Within the readiness targets: lag at most {@code max-lag}, coverage at least {@code min-coverage}. */
    READY;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
