package io.warmer.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.capture.snapshot.SnapshotProgress;
import io.warmer.change.TableId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptureStageTest {

    private static final TableId USERS = TableId.parse("users");
    private static final TableId ORDERS = TableId.parse("orders");

    private static SnapshotProgress progress(TableId table, SnapshotProgress.State state) {
        return new SnapshotProgress(table.qualified(), "s1", state, null, null, 10, 1, null, 0);
    }

    @Test
    void shouldSayNotStartedWithoutProgress() {
        assertThat(CaptureStage.of(Map.of(), List.of(USERS))).isEqualTo(CaptureStage.NOT_STARTED);
    }

    @Test
    void shouldSaySnapshotRunningUntilEveryTableIsDone() {
        assertThat(CaptureStage.of(Map.of(USERS, progress(USERS, SnapshotProgress.State.COMPLETE)), List.of(USERS, ORDERS)))
                .isEqualTo(CaptureStage.SNAPSHOT_RUNNING);
        assertThat(CaptureStage.of(Map.of(USERS, progress(USERS, SnapshotProgress.State.RUNNING)), List.of(USERS)))
                .isEqualTo(CaptureStage.SNAPSHOT_RUNNING);
    }

    @Test
    void shouldSayStreamingOnceEveryTableIsCompleteOrSwept() {
        assertThat(CaptureStage.of(Map.of(USERS, progress(USERS, SnapshotProgress.State.SWEPT),
                ORDERS, progress(ORDERS, SnapshotProgress.State.COMPLETE)), List.of(USERS, ORDERS)))
                .isEqualTo(CaptureStage.STREAMING);
    }
}
