package io.warmer.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.config.EvictionGuardMode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What the guard does to the materializer for each decision, fed by hand-made samples. */
class EvictionGuardTest {

    private static final long MAX = 8 * Bytes.MIB;

    private final AtomicReference<NodeMemory> sample = new AtomicReference<>();
    private final List<String> calls = new ArrayList<>();
    private final EvictionGuard.Materializer materializer =
            new EvictionGuard.Materializer(() -> calls.add("pause"), () -> calls.add("resume"));

    private EvictionGuard guard(EvictionGuardMode mode) {
        return new EvictionGuard(mode, "redis:6379", () -> List.of(sample.get()), materializer);
    }

    private void poll(EvictionGuard guard, long used, long max, long evictedKeys) {
        sample.set(new NodeMemory("redis:6379", used, max, "allkeys-lru", evictedKeys));
        guard.poll();
    }

    @Test
    void shouldPauseTheMaterializerOnceWhenEvictionsStartAndResumeItWhenThereIsRoom() {
        EvictionGuard guard = guard(EvictionGuardMode.PAUSE);
        poll(guard, MAX / 2, MAX, 0);

        poll(guard, MAX, MAX, 40);
        poll(guard, MAX, MAX, 90);
        poll(guard, MAX, MAX, 90);

        assertThat(calls).containsExactly("pause");
        assertThat(guard.paused()).isTrue();
        assertThat(guard.pauses()).isEqualTo(1);
        assertThat(guard.evictedKeysSeen()).isEqualTo(90);

        poll(guard, MAX, 4 * MAX, 90);

        assertThat(calls).containsExactly("pause", "resume");
        assertThat(guard.paused()).isFalse();
        assertThat(guard.pauses()).isEqualTo(1);
    }

    @Test
    void shouldCountEveryPause() {
        EvictionGuard guard = guard(EvictionGuardMode.PAUSE);
        poll(guard, 0, MAX, 0);
        poll(guard, MAX, MAX, 1);
        poll(guard, MAX, 2 * MAX, 1);

        poll(guard, 2 * MAX, 2 * MAX, 2);

        assertThat(calls).containsExactly("pause", "resume", "pause");
        assertThat(guard.pauses()).isEqualTo(2);
    }

    @Test
    void shouldOnlyReportEvictionsInWarnMode() {
        EvictionGuard guard = guard(EvictionGuardMode.WARN);
        poll(guard, 0, MAX, 0);

        poll(guard, MAX, MAX, 7);

        assertThat(calls).isEmpty();
        assertThat(guard.paused()).isFalse();
        assertThat(guard.evicting()).isTrue();
        assertThat(guard.evictedKeysSeen()).isEqualTo(7);
        assertThat(guard.pauses()).isZero();
    }

    @Test
    void shouldNeverPauseWhenOff() {
        EvictionGuard off = EvictionGuard.off();

        assertThat(off.paused()).isFalse();
        assertThat(off.mode()).isEqualTo(EvictionGuardMode.OFF);
        off.close();
    }
}
