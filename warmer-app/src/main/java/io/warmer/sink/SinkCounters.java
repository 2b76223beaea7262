package io.warmer.sink;

import java.util.concurrent.atomic.LongAdder;

/** What the sink has had acknowledged by the cache since start, for progress displays and metrics. */
public final class SinkCounters {

    private final LongAdder puts = new LongAdder();
    private final LongAdder deletes = new LongAdder();
    private final LongAdder fenced = new LongAdder();

    /** @param fencedCount of those, writes not applied because the key held a newer version */
    void acknowledged(long putCount, long deleteCount, long fencedCount) {
        puts.add(putCount);
        deletes.add(deleteCount);
        fenced.add(fencedCount);
    }

    /** Writes acknowledged but not applied: the key already held the same or a newer version. */
    public long fenced() {
        return fenced.sum();
    }

    public long puts() {
        return puts.sum();
    }

    public long deletes() {
        return deletes.sum();
    }
}
