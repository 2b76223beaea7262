package io.warmer.capture.snapshot;

import io.warmer.change.TableId;
import io.warmer.change.Version;
import java.util.Map;

/**
 * A table whose snapshot is complete and whose keys that no row accounts for are still to be removed.
 *
 * @param startVersion  every value written for an existing row of the table since the snapshot began has a version
 *                      at or above this: older ones belong to rows deleted while nothing captured them
 * @param markerOffsets per partition of the change topic, the offset of the snapshot's marker; empty when not known
 *                      (the capture restarted after the snapshot completed)
 */
public record CompletedSnapshot(TableId table, String snapshot, Version startVersion, Map<Integer, Long> markerOffsets) {
    public CompletedSnapshot {
        markerOffsets = Map.copyOf(markerOffsets);
    }
}
