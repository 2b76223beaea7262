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
                .after(3, Version.of(20, 22));

        assertThat(position).isEqualTo(new PartitionPosition(2, 3, Version.of(20, 22), -1, -1, -1, null));
        assertThat(PartitionPosition.parse(position.text())).isEqualTo(position);
        assertThat(PartitionPosition.parse(null)).isEqualTo(PartitionPosition.NONE);
        assertThat(PartitionPosition.NONE.placementOf(0)).isEqualTo(Placement.FIRST_SNAPSHOT);

        assertThat(position.placementOf(4)).as("live").isEqualTo(new Placement(Version.of(20, 22).then(4)));
        assertThat(position.placementOf(1)).as("the first snapshot, read again after a crash")
                .isEqualTo(Placement.FIRST_SNAPSHOT);
        assertThat(position.placementOf(3)).as("a read processed before, in no run: its place is not known")
                .isNull();
        assertThat(position.after(3, Version.of(15, 16)).max()).as("a change delivered again lowers nothing")
                .isEqualTo(Version.of(20, 22));
    }

    /** A blocking run streams nothing, so its reads are placed again exactly as the first time. */
    @Test
    void shouldPlaceTheReadsOfARunAgainAsTheFirstTime() {
        PartitionPosition inRun = PartitionPosition.NONE.after(0, Version.of(10, 12)).withRun(1).after(1, null)
                .after(2, null);
        assertThat(inRun.placementOf(1)).isEqualTo(new Placement(Version.of(10, 12).then(1)));
        assertThat(inRun.runFloor()).isEqualTo(Version.of(10, 12).then(1));

        PartitionPosition ended = inRun.withRunEnded(3).after(3, Version.of(30, 32)).after(4, Version.of(40, 42));
        assertThat(ended.placementOf(2)).as("the run's read, after the stream raised the maximum")
                .isEqualTo(new Placement(Version.of(10, 12).then(2)));
        assertThat(ended.endedFloor()).isEqualTo(Version.of(10, 12).then(1));
        assertThat(ended.placementOf(4)).isNull();
        assertThat(PartitionPosition.parse(ended.text())).isEqualTo(ended);
    }
}
