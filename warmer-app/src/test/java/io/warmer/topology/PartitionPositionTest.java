package io.warmer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.capture.DebeziumEvents.Placement;
import io.warmer.change.Version;
import org.junit.jupiter.api.Test;

/** Where an event stands in its partition, also when the translation reprocesses records after a crash. */
class PartitionPositionTest {

    @Test
    void shouldTellTheFirstSnapshotFromASecondOneWhateverWasProcessedBefore() {
        PartitionPosition position = PartitionPosition.NONE
                .after(0, null)                      // a read of the first snapshot
                .after(1, null)
                .after(2, Version.of(10, 12))        // the first streamed change
                .after(3, Version.of(20, 22))
                .after(4, null);                     // a read of a second snapshot

        assertThat(position).isEqualTo(new PartitionPosition(2, 4, Version.of(20, 22)));
        assertThat(PartitionPosition.parse(position.text())).isEqualTo(position);
        assertThat(PartitionPosition.parse(null)).isEqualTo(PartitionPosition.NONE);

        assertThat(position.placementOf(5)).as("live").isEqualTo(new Placement(Version.of(20, 22).then(5), false));
        assertThat(position.placementOf(1)).as("the first snapshot, read again after a crash")
                .isEqualTo(Placement.FIRST_SNAPSHOT);
        assertThat(position.placementOf(4)).as("the second snapshot, read again after a crash: its floor may hold"
                + " later changes, so it deletes").isEqualTo(new Placement(Version.of(20, 22).then(4), true));
        assertThat(PartitionPosition.NONE.placementOf(0)).isEqualTo(Placement.FIRST_SNAPSHOT);
        assertThat(position.after(3, Version.of(15, 16)).max()).as("a change delivered again lowers nothing")
                .isEqualTo(Version.of(20, 22));
    }
}
