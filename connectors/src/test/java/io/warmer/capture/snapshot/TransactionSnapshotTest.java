package io.warmer.capture.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransactionSnapshotTest {

    @Test
    void shouldSeeWhatFinishedBeforeItAndNotWhatRanOrCameLater() {
        TransactionSnapshot snapshot = TransactionSnapshot.parse("100:110:103,105");

        assertThat(snapshot.sees(99)).isTrue();
        assertThat(snapshot.sees(104)).isTrue();
        assertThat(snapshot.sees(103)).as("in progress").isFalse();
        assertThat(snapshot.sees(110)).as("at xmax: assigned later, or still running").isFalse();
        assertThat(snapshot.sees(150)).isFalse();
    }

    @Test
    void shouldWidenA32BitIdAcrossAWraparoundOfTheCounter() {
        long epoch = 3L << 32;
        TransactionSnapshot snapshot = TransactionSnapshot.parse((epoch + 5) + ":" + (epoch + 10) + ":");

        assertThat(snapshot.widen(7)).isEqualTo(epoch + 7);
        assertThat(snapshot.widen(0xFFFF_FFF0L)).as("just before the wraparound").isEqualTo(epoch - 16);
        assertThat(snapshot.sees(0xFFFF_FFF0L)).isTrue();
        assertThat(snapshot.sees(12)).isFalse();
    }
}
