package io.warmer.sink;

/** What the writers tell {@link SinkCounters}, for tests of what reads it. */
public final class SinkCountersFixture {

    private SinkCountersFixture() {
    }

    public static void acknowledged(SinkCounters counters, String family, long puts, long deletes, long fenced) {
        counters.acknowledged(family, puts, deletes, fenced);
    }

    /** As a writer does when Redis acknowledged a write: tells the timer, if one is set. */
    public static void timed(SinkCounters counters, String family, long nanos) {
        SinkCounters.WriteTimer timer = counters.writeTimer();
        if (timer != null) {
            timer.acknowledged(family, nanos);
        }
    }

    public static void submitted(SinkCounters counters, int writes) {
        counters.unacknowledged(writes);
    }

    public static boolean timed(SinkCounters counters) {
        return counters.writeTimer() != null;
    }
}
