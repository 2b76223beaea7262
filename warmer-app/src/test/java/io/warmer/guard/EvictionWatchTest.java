package io.warmer.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.guard.EvictionWatch.Transition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When to pause and when to resume, decided from successive INFO samples alone. */
class EvictionWatchTest {

    private static final long MAX = 8 * Bytes.MIB;

    private static final double RESUME_BELOW = 0.95;

    private final EvictionWatch watch = new EvictionWatch(RESUME_BELOW);

    private static NodeMemory node(String address, long used, long max, long evictedKeys) {
        return new NodeMemory(address, used, max, "allkeys-lru", evictedKeys);
    }

    private static NodeMemory single(long used, long evictedKeys) {
        return node("redis:6379", used, MAX, evictedKeys);
    }

    private Transition observe(NodeMemory... nodes) {
        return watch.observe(List.of(nodes)).transition();
    }

    @Test
    void shouldTakeTheFirstSampleAsTheBaselineWhateverItsEvictedKeys() {
        assertThat(observe(single(MAX - 1, 5_000))).isEqualTo(Transition.NONE);

        assertThat(watch.evicting()).isFalse();
        assertThat(watch.evictedSeen()).isZero();
    }

    @Test
    void shouldStartEvictingWhenEvictedKeysRisesBetweenTwoSamples() {
        observe(single(MAX - 1, 5_000));

        EvictionWatch.Step step = watch.observe(List.of(single(MAX - 1, 5_012)));

        assertThat(step.transition()).isEqualTo(Transition.STARTED);
        assertThat(step.evicted()).isEqualTo(12);
        assertThat(step.evicting()).extracting(NodeMemory::address).containsExactly("redis:6379");
        assertThat(watch.evictedSeen()).isEqualTo(12);
    }

    @Test
    void shouldNotStartAgainWhileStillEvicting() {
        observe(single(MAX, 0));
        observe(single(MAX, 10));

        assertThat(observe(single(MAX, 30))).isEqualTo(Transition.NONE);
        assertThat(watch.evicting()).isTrue();
        assertThat(watch.evictedSeen()).isEqualTo(30);
    }

    @Test
    void shouldStayEvictingWhileEvictionsHaveStoppedButMemoryIsStillAtTheLimit() {
        observe(single(MAX, 0));
        observe(single(MAX, 10));

        assertThat(observe(single(MAX - 100, 10))).isEqualTo(Transition.NONE);
        assertThat(observe(single((long) Math.ceil(MAX * RESUME_BELOW), 10))).as("at the margin, not below")
                .isEqualTo(Transition.NONE);
        assertThat(watch.evicting()).isTrue();
    }

    @Test
    void shouldStayEvictingWhileThereIsRoomButKeysAreStillEvicted() {
        observe(single(MAX, 0));
        observe(single(MAX, 10));

        assertThat(observe(single(MAX / 2, 11))).isEqualTo(Transition.NONE);
        assertThat(watch.evicting()).isTrue();
    }

    @Test
    void shouldBeOverOnceNothingWasEvictedAndUsedMemoryIsBelowTheMargin() {
        observe(single(MAX, 0));
        observe(single(MAX, 10));

        assertThat(observe(single((long) (MAX * RESUME_BELOW) - 1, 10))).isEqualTo(Transition.OVER);
        assertThat(watch.evicting()).isFalse();
    }

    @Test
    void shouldBeOverWhenMaxmemoryWasRaisedFarAboveUsedMemory() {
        observe(single(MAX, 0));
        observe(single(MAX, 10));

        assertThat(observe(node("redis:6379", MAX, 64 * Bytes.MIB, 10))).isEqualTo(Transition.OVER);
    }

    @Test
    void shouldBeOverWhenTheLimitWasRemoved() {
        observe(single(MAX, 0));
        observe(single(MAX, 10));

        assertThat(observe(node("redis:6379", MAX, 0, 10))).isEqualTo(Transition.OVER);
    }

    @Test
    void shouldStartAgainWhenEvictionsReturnAfterAPause() {
        observe(single(MAX, 0));
        observe(single(MAX, 10));
        observe(node("redis:6379", MAX, 16 * Bytes.MIB, 10));

        assertThat(observe(node("redis:6379", 16 * Bytes.MIB, 16 * Bytes.MIB, 25))).isEqualTo(Transition.STARTED);
        assertThat(watch.evictedSeen()).isEqualTo(25);
    }

    @Test
    void shouldTakeACounterThatWentDownAsAResetNotAsEvictions() {
        observe(single(MAX / 2, 900));

        assertThat(observe(single(MAX / 2, 3))).as("CONFIG RESETSTAT or a restart").isEqualTo(Transition.NONE);
        assertThat(observe(single(MAX / 2, 5))).as("rises from the new baseline").isEqualTo(Transition.STARTED);
        assertThat(watch.evictedSeen()).isEqualTo(2);
    }

    @Test
    void shouldStartWhenAnyMasterOfAClusterEvicts() {
        observe(node("a:7000", 0, MAX, 0), node("b:7001", 0, MAX, 0));

        EvictionWatch.Step step = watch.observe(List.of(node("a:7000", MAX / 2, MAX, 0), node("b:7001", MAX, MAX, 4)));

        assertThat(step.transition()).isEqualTo(Transition.STARTED);
        assertThat(step.evicting()).extracting(NodeMemory::address).containsExactly("b:7001");
    }

    @Test
    void shouldWaitForEveryMasterToHaveRoomBeforeItIsOver() {
        observe(node("a:7000", 0, MAX, 0), node("b:7001", 0, MAX, 0));
        observe(node("a:7000", MAX, MAX, 3), node("b:7001", MAX, MAX, 4));

        assertThat(observe(node("a:7000", MAX / 2, MAX, 3), node("b:7001", MAX, MAX, 4))).isEqualTo(Transition.NONE);
        assertThat(observe(node("a:7000", MAX / 2, MAX, 3), node("b:7001", MAX / 2, MAX, 4))).isEqualTo(Transition.OVER);
    }

    @Test
    void shouldTakeANewMasterAsABaselineRatherThanAsEvictions() {
        observe(node("a:7000", 0, MAX, 0));

        assertThat(observe(node("a:7000", 0, MAX, 0), node("c:7002", 0, MAX, 70))).isEqualTo(Transition.NONE);
        assertThat(observe(node("a:7000", 0, MAX, 0), node("c:7002", 0, MAX, 71))).isEqualTo(Transition.STARTED);
    }
}
