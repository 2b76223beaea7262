package io.warmer.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The capture's stage, from the offsets Debezium stores: older releases mark the snapshot true, newer with its type. */
class CaptureStageTest {

    @Test
    void shouldSayNotStartedWithoutOffsets() {
        assertThat(CaptureStage.of(null)).isEqualTo(CaptureStage.NOT_STARTED);
    }

    @Test
    void shouldSaySnapshotRunningWhileTheOffsetsAreMarked() {
        assertThat(CaptureStage.of("{\"lsn\":1,\"snapshot\":\"INITIAL\",\"last_snapshot_record\":false}"))
                .isEqualTo(CaptureStage.SNAPSHOT_RUNNING);
        assertThat(CaptureStage.of("{\"lsn\":1,\"snapshot\":true,\"last_snapshot_record\":false}"))
                .isEqualTo(CaptureStage.SNAPSHOT_RUNNING);
    }

    @Test
    void shouldSayStreamingAfterTheLastSnapshotRecordAndOnceTheMarkIsGone() {
        assertThat(CaptureStage.of("{\"lsn\":1,\"snapshot\":\"INITIAL\",\"last_snapshot_record\":true}"))
                .isEqualTo(CaptureStage.STREAMING);
        assertThat(CaptureStage.of("{\"lsn_proc\":9,\"lsn_commit\":9,\"lsn\":9,\"txId\":7,\"ts_usec\":1}"))
                .isEqualTo(CaptureStage.STREAMING);
        assertThat(CaptureStage.of("{\"lsn\":9,\"snapshot\":false}")).isEqualTo(CaptureStage.STREAMING);
    }
}
