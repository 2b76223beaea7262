package io.warmer.guard;

import io.warmer.concurrent.DaemonThreads;
import io.warmer.config.EvictionGuardMode;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Redis while the materializer writes and, with {@code redis.eviction-guard: pause}, pauses writing as soon as
 * Redis starts evicting: warming new keys must never push out the hot old keys production still reads. Polls every
 * master's {@code INFO memory} and {@code INFO stats} every {@link #POLL_INTERVAL}, on its own thread and connection; the
 * decisions are {@link EvictionWatch}'s.
 *
 * <p>Pausing is Kafka Streams' {@code pause()}: writes already submitted are still flushed and acknowledged, offsets
 * are committed only for what Redis acknowledged, and everything else waits in Kafka, so nothing is lost.
 */
public final class EvictionGuard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EvictionGuard.class);

    /**
     * How often Redis is looked at. A snapshot writes megabytes a second, and what it writes between the first eviction
     * and the pause evicts too: at once a second, an 8 MiB EvictionGuardIT saw 4,806 keys evicted (it had 4,800 old
     * keys) before the pause took hold. Two INFO sections per master ten times a second cost Redis next to nothing.
     */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    /** Share of {@code maxmemory} every master must be below, and no key evicted since the last poll, to resume. */
    public static final double RESUME_BELOW = 0.95;

    /** What the guard pauses and resumes: the materializer's processing. */
    public record Materializer(Runnable pause, Runnable resume) {
    }

    private final EvictionGuardMode mode;
    private final String address;
    private final Supplier<List<NodeMemory>> sampler;
    private final Materializer materializer;
    private final EvictionWatch watch = new EvictionWatch(RESUME_BELOW);
    private final AtomicLong pauses = new AtomicLong();
    private final AtomicLong evictedKeysSeen = new AtomicLong();
    private volatile boolean paused;
    private volatile boolean evicting;
    private volatile boolean closed;
    private long pausedSinceNanos;
    private boolean pollFailing;
    /** Its own, so that a poll never waits behind a pipelined batch. */
    private RedisConnection<String, String> redis;
    private ScheduledExecutorService poller;

    /** @param address where Redis is, for messages: never the password */
    EvictionGuard(EvictionGuardMode mode, String address, Supplier<List<NodeMemory>> sampler, Materializer materializer) {
        this.mode = mode;
        this.address = address;
        this.sampler = sampler;
        this.materializer = materializer;
    }

    /** A guard that watches nothing: {@code redis.eviction-guard: off}, or a process that does not write to Redis. */
    public static EvictionGuard off() {
        return new EvictionGuard(EvictionGuardMode.OFF, "", List::of, new Materializer(() -> { }, () -> { }));
    }

    /**
     * Takes a first sample (the baseline: evictions before this moment do not count), then polls on its own thread.
     *
     * @throws io.warmer.redis.RedisUnavailableException when Redis cannot be reached
     * @throws io.warmer.sink.CacheWriteException when Redis hides what the guard reads from INFO
     */
    public static EvictionGuard start(Redis process, Materializer materializer) {
        if (process.settings().evictionGuard() == EvictionGuardMode.OFF) {
            return off();
        }
        RedisConnection<String, String> redis = process.connect();
        EvictionGuard guard = new EvictionGuard(process.settings().evictionGuard(), redis.address(),
                () -> NodeMemory.ofMasters(redis), materializer);
        guard.redis = redis;
        try {
            guard.poll();
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
        guard.poller = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("warmer-eviction-guard"));
        guard.poller.scheduleWithFixedDelay(guard::pollSafely, POLL_INTERVAL.toMillis(), POLL_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        return guard;
    }

    /** Whether writing is paused because Redis is evicting. */
    public boolean paused() {
        return paused;
    }

    /** Whether Redis was evicting at the last poll (also in {@code warn} mode, where nothing pauses). */
    public boolean evicting() {
        return evicting;
    }

    /** How many times writing was paused since start. */
    public long pauses() {
        return pauses.get();
    }

    /** Keys Redis evicted while the guard watched, over all masters. */
    public long evictedKeysSeen() {
        return evictedKeysSeen.get();
    }

    public EvictionGuardMode mode() {
        return mode;
    }

    /** One sample and what follows from it; the poller's thread calls it every {@link #POLL_INTERVAL}. */
    void poll() {
        List<NodeMemory> nodes = sampler.get();
        EvictionWatch.Step step = watch.observe(nodes);
        evictedKeysSeen.set(watch.evictedSeen());
        evicting = watch.evicting();
        switch (step.transition()) {
            case STARTED -> evictionStarted(step);
            case OVER -> evictionOver(nodes);
            case NONE -> { }
        }
    }

    private void pollSafely() {
        try {
            poll();
            if (pollFailing) {
                pollFailing = false;
                LOG.info("The eviction guard reads Redis at {} again.", address);
            }
        } catch (RuntimeException e) {
            // The next poll retries; warn once per outage, not at every poll.
            if (!pollFailing && !closed) {
                pollFailing = true;
                LOG.warn("The eviction guard cannot read INFO from Redis at {}: {}; it keeps its last decision ({})"
                        + " and retries every {} ms.", address, e.getMessage(), paused ? "paused" : "writing",
                        POLL_INTERVAL.toMillis());
            }
        }
    }

    private void evictionStarted(EvictionWatch.Step step) {
        String where = describe(step.evicting());
        if (mode == EvictionGuardMode.PAUSE) {
            materializer.pause().run();
            paused = true;
            pausedSinceNanos = System.nanoTime();
            pauses.incrementAndGet();
            LOG.warn("Redis at {} is evicting keys: evicted_keys rose by {}. Warmer paused writing, so that the keys it"
                            + " warms do not push out keys applications still read; it resumes once Redis has stopped"
                            + " evicting and used_memory is below {}% of maxmemory. Raise maxmemory (CONFIG SET maxmemory),"
                            + " or free memory, e.g. with `warmer cleanup` of a key generation nothing reads any more.",
                    where, String.format(Locale.ROOT, "%,d", step.evicted()), resumePercent());
        } else {
            LOG.warn("Redis at {} is evicting keys: evicted_keys rose by {}. Warmer keeps writing"
                            + " (redis.eviction-guard: warn), which pushes out keys applications may still read. Raise"
                            + " maxmemory or free memory, or set redis.eviction-guard: pause.",
                    where, String.format(Locale.ROOT, "%,d", step.evicted()));
        }
    }

    private void evictionOver(List<NodeMemory> nodes) {
        if (!paused) {
            LOG.info("Redis at {} has stopped evicting; {} keys were evicted meanwhile.", describe(nodes),
                    String.format(Locale.ROOT, "%,d", watch.evictedSeen()));
            return;
        }
        paused = false;
        materializer.resume().run();
        LOG.info("Redis at {} has stopped evicting and has room again (below {}% of maxmemory): Warmer resumed writing"
                        + " after a pause of {} s. Keys evicted while the guard watched: {}.", describe(nodes),
                resumePercent(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - pausedSinceNanos),
                String.format(Locale.ROOT, "%,d", watch.evictedSeen()));
    }

    private static String describe(List<NodeMemory> nodes) {
        return nodes.stream().map(n -> n.address() + " (" + n.describe() + ")").collect(Collectors.joining(", "));
    }

    private static long resumePercent() {
        return Math.round(RESUME_BELOW * 100);
    }

    @Override
    public void close() {
        closed = true;
        if (poller != null) {
            poller.shutdown(); // a poll under way ends; interrupting it would only make it fail
            try {
                Duration timeout = redis == null ? POLL_INTERVAL : redis.commandTimeout();
                if (!poller.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.debug("The eviction guard's poll did not end within {}", timeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }
}
