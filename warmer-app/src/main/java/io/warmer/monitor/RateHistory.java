package io.warmer.monitor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One family's write rate over the last minutes, from a running total sampled now and then: what the status page
 * draws. Not thread-safe: the monitor's thread samples it and hands out copies.
 */
final class RateHistory {

    private final int capacity;
    private final Deque<PipelineStatus.RatePoint> points = new ArrayDeque<>();
    private long lastTotal = -1;
    private long lastNanos;

    /** @param capacity points kept, the oldest dropped first */
    RateHistory(int capacity) {
        this.capacity = capacity;
    }

    /** @param total writes (puts and deletes) acknowledged since start */
    void sample(long epochMillis, long nanos, long total) {
        if (lastTotal >= 0 && nanos > lastNanos) {
            points.addLast(new PipelineStatus.RatePoint(epochMillis, (total - lastTotal) * 1e9 / (nanos - lastNanos)));
            if (points.size() > capacity) {
                points.removeFirst();
            }
        }
        lastTotal = total;
        lastNanos = nanos;
    }

    List<PipelineStatus.RatePoint> points() {
        return new ArrayList<>(points);
    }

    /** The mean rate over the last {@code n} points: the counters move in bursts, at each commit. */
    double recentRate(int n) {
        List<PipelineStatus.RatePoint> all = points();
        List<PipelineStatus.RatePoint> recent = all.subList(Math.max(0, all.size() - n), all.size());
        return recent.stream().mapToDouble(PipelineStatus.RatePoint::writesPerSecond).average().orElse(0);
    }
}
