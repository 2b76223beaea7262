package io.warmer.sink;

import java.util.concurrent.atomic.LongAdder;

/** What the sink has had acknowledged by the cache since start, for progress displays and metrics. */
public final class SinkCounters {

    private final LongAdder puts = new LongAdder();
    private final LongAdder deletes = new LongAdder();

    void acknowledged(long putCount, long deleteCount) {
        puts.add(putCount);
        deletes.add(deleteCount);
    }

    public long puts() {
        return puts.sum();
    }

    public long deletes() {
        return deletes.sum();
    }
}
