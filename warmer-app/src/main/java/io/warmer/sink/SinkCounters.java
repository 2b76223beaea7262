package io.warmer.sink;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the sink has had acknowledged by the cache since start, per key family, and what it still waits for, for
 * displays and metrics. Shared by every writer of the process, and the hook through which they time their writes.
 */
public final class SinkCounters {

    /** The family under which a change set aside before any family looked at it is counted. */
    public static final String UNATTRIBUTED = "(none)";

    /**
     * Told of each write the cache acknowledged, with the time from its submit to the acknowledgement. Called on the
     * Redis client's I/O thread, once per write: it must be quick and must not block.
     */
    @FunctionalInterface
    public interface WriteTimer {
        void acknowledged(String family, long nanos);
    }

    /** One family's acknowledged writes. */
    public record Counts(long puts, long deletes, long fenced) {
    }

    private static final class Adders {
        final LongAdder puts = new LongAdder();
        final LongAdder deletes = new LongAdder();
        final LongAdder fenced = new LongAdder();

        Counts sum() {
            return new Counts(puts.sum(), deletes.sum(), fenced.sum());
        }
    }

    private final ConcurrentMap<String, Adders> families = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LongAdder> deadLettered = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LongAdder> unavailable = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> broken = new ConcurrentHashMap<>();
    private final LongAdder unacknowledged = new LongAdder();
    /** Null unless something times the writes: a writer then takes no timestamps at all. */
    private final AtomicReference<WriteTimer> writeTimer = new AtomicReference<>();

    /** @param fencedCount of those, writes not applied because the key held a newer version */
    void acknowledged(String family, long putCount, long deleteCount, long fencedCount) {
        Adders adders = families.computeIfAbsent(family, f -> new Adders());
        adders.puts.add(putCount);
        adders.deletes.add(deleteCount);
        adders.fenced.add(fencedCount);
    }

    /** Per family, in name order; a family appears once it has had a write acknowledged. */
    public Map<String, Counts> byFamily() {
        Map<String, Counts> counts = new TreeMap<>();
        families.forEach((family, adders) -> counts.put(family, adders.sum()));
        return counts;
    }

    /**
     * A change set aside to the dead-letter topic by {@code family} (a join's route names itself {@code join <as>};
     * {@link #UNATTRIBUTED} when no family had looked at it yet);
     * counted when the topology sets it aside, so a count may include a letter whose send is retried.
     */
    public void deadLettered(String family) {
        deadLettered.computeIfAbsent(family, f -> new LongAdder()).increment();
    }

    /** Changes set aside per family since start, in name order; a family appears once it set one aside. */
    public Map<String, Long> deadLetteredByFamily() {
        Map<String, Long> counts = new TreeMap<>();
        deadLettered.forEach((family, adder) -> counts.put(family, adder.sum()));
        return counts;
    }

    /**
     * A row whose keys {@code family} deleted instead of writing, because a column it reads was not sent (an
     * unchanged TOASTed value) and was not remembered.
     */
    public void unavailable(String family) {
        unavailable.computeIfAbsent(family, f -> new LongAdder()).increment();
    }

    /** Rows per family whose keys were deleted for a value PostgreSQL did not send, since start. */
    public Map<String, Long> unavailableByFamily() {
        Map<String, Long> counts = new TreeMap<>();
        unavailable.forEach((family, adder) -> counts.put(family, adder.sum()));
        return counts;
    }

    /**
     * {@code family} cannot render its table's changes any more: a column it reads is gone from them (dropped or
     * renamed) or changed its type. Until a restart with a fixed configuration, its keys of changed rows are
     * deleted and the changes dead-lettered; readiness names the reason.
     */
    public void broken(String family, String reason) {
        broken.put(family, reason);
    }

    /** Why each broken family is broken, since start. */
    public Map<String, String> brokenFamilies() {
        return new TreeMap<>(broken);
    }

    /** Writes a writer submitted (a positive count), or had acknowledged or gave up at its close (negative). */
    void unacknowledged(long count) {
        unacknowledged.add(count);
    }

    /**
     * Writes submitted and not yet acknowledged, buffered or sent, summed over the process's writers: how deep the
     * Redis pipelines are. Read while the writers write, so a moment's figure, never negative once they are idle.
     */
    public long unacknowledged() {
        return unacknowledged.sum();
    }

    /**
     * Times every write submitted from now on, until {@link #stopTimingWrites}.
     *
     * @throws IllegalStateException when another timer times them already
     */
    public void timeWrites(WriteTimer timer) {
        if (!writeTimer.compareAndSet(null, timer)) {
            throw new IllegalStateException("the writes are timed already; stop that timer first");
        }
    }

    /** Stops {@code timer}, if it is the one timing the writes. */
    public void stopTimingWrites(WriteTimer timer) {
        writeTimer.compareAndSet(timer, null);
    }

    /** The timer of the writes, or null. */
    WriteTimer writeTimer() {
        return writeTimer.get();
    }

    /** Writes acknowledged but not applied: the key already held the same or a newer version. */
    public long fenced() {
        return families.values().stream().mapToLong(a -> a.fenced.sum()).sum();
    }

    public long puts() {
        return families.values().stream().mapToLong(a -> a.puts.sum()).sum();
    }

    public long deletes() {
        return families.values().stream().mapToLong(a -> a.deletes.sum()).sum();
    }
}
