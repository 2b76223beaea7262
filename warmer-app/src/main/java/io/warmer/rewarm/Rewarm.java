package io.warmer.rewarm;

import io.warmer.concurrent.DaemonThreads;
import io.lettuce.core.SetArgs;
import io.warmer.backfill.Materializers;
import io.warmer.config.FamilyConfig;
import io.warmer.config.WarmerConfig;
import io.warmer.status.PublishedCounters;
import io.warmer.status.PublishedRewarm;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the cache from the compacted change topics after Redis lost its data ({@link LossWatch}), beside live
 * streaming: a replay of every fenced family in a materializer application of its own
 * ({@code <application-id>.rewarm.<time>}) from the beginning of the topics up to their end when the loss was
 * found, fenced as usual, so that a live change written meanwhile is never replaced by an older one. The topics hold
 * every row's latest change, so that is all a lost node can have lost; what it kept is written again with the same
 * version and refused (docs/design.md, "When Redis loses its data"). Unfenced families cannot be rebuilt beside live
 * writes (an older value would overwrite a newer one): they are named in the log, and fill as their rows change.
 *
 * <p>Every process of a deployment notices the loss; one rebuilds. It claims {@link PublishedRewarm#claimKey}
 * ({@code SET NX} with a {@link #CLAIM_TTL} it refreshes with its progress), the others show that progress and wait;
 * when the claim is gone without the rebuild being marked done after their own notice (its process died), one of
 * them takes it over.
 */
public final class Rewarm implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Rewarm.class);
    static final Duration POLL = Duration.ofMillis(200);
    /** A claim not refreshed for this long is given up: its process died, and another may take the rebuild over. */
    static final Duration CLAIM_TTL = Duration.ofSeconds(10);
    /** How soon a rebuild that failed (Redis or Kafka unreachable) is tried again. */
    static final Duration RETRY = Duration.ofSeconds(5);

    /** Where the rewarm is: idle, rebuilding, or failed for now (it is tried again, see {@link #RETRY}). */
    public enum State { IDLE, REWARMING, FAILED }

    /**
     * @param remaining   change and routed records still to apply; 0 when idle
     * @param secondsLeft an estimate from the rate so far; null until there is one
     */
    public record Progress(State state, String reason, long total, long remaining, Double secondsLeft, long startedMs) {
        public static final Progress IDLE = new Progress(State.IDLE, null, 0, 0, null, 0);
    }

    /** What the rebuild needs of a replaying materializer: {@code WarmerService.replay} gives it. */
    public interface Replay extends AutoCloseable {
        /** The records in the change topics when it started: what it replays. */
        long total();

        /** Records still to apply, joined rows included. */
        long behind() throws InterruptedException;

        /** Whether Redis holds every row's latest value: {@link #behind()} reached 0, and joined families wrote since. */
        boolean done();

        /** Keys written and deleted so far. */
        long writes();

        /** Stops taking records, to keep to the rate. */
        void pause();

        /** Takes records again, unless the eviction guard holds it paused. */
        void resume();

        @Override
        void close();
    }

    private final WarmerConfig config;
    private final Redis process;
    private final Function<WarmerConfig, Replay> replays;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(DaemonThreads.named("warmer-rewarm"));
    private volatile Progress progress = Progress.IDLE;
    private volatile boolean again;
    private Future<?> running;

    /** @param process the process's Redis, which {@code config.redis()} names */
    public Rewarm(WarmerConfig config, Redis process, Function<WarmerConfig, Replay> replays) {
        this.config = config;
        this.process = process;
        this.replays = replays;
    }

    private RedisConnection<String, String> redis() {
        return process.connect();
    }

    public Progress progress() {
        return progress;
    }

    /**
     * At a start: finishes a rebuild that a process began and did not end (it was killed, or stopped), which the
     * counters cannot tell any more, since the loss they saw is behind them.
     */
    public void resumeUnfinished() {
        String app = config.kafka().applicationId();
        try (RedisConnection<String, String> redis = redis()) {
            String noticed = redis.sync().get(PublishedRewarm.noticedKey(app));
            String done = redis.sync().get(PublishedRewarm.doneKey(app));
            if (noticed != null && (done == null || Long.parseLong(done) < Long.parseLong(noticed))) {
                request("a rebuild after a loss of Redis data, begun before this start, did not end");
            }
        } catch (Exception e) {
            LOG.debug("Could not look for an unfinished rebuild: {}", e.getMessage());
        }
    }

    /** Starts a rebuild; during one, starts it again once it ends (what it wrote before may be lost too). */
    public synchronized void request(String reason) {
        if (!config.redis().rewarm().enabled()) {
            LOG.atWarn().addKeyValue("event", "rewarm_disabled").log("Not rebuilding the cache (redis.rewarm.enabled"
                    + " is false): keys come back only as their rows change; `warmer replay` rebuilds them.");
            return;
        }
        if (running != null && !running.isDone()) {
            again = true;
            return;
        }
        running = runner.submit(() -> run(reason));
    }

    private void run(String reason) {
        String why = reason;
        String lastFailure = null;
        do {
            again = false;
            try {
                if (!claimedOrDoneElsewhere(why)) {
                    continue;
                }
                rebuild(why);
                lastFailure = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The loss is still there: try again, e.g. once a failed-over cluster has settled.
                progress = new Progress(State.FAILED, why + "; retrying: " + e.getMessage(), 0, 0, null,
                        System.currentTimeMillis());
                if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
                    LOG.atWarn().addKeyValue("event", "rewarm_failed").log("Rebuilding the cache after the data loss"
                            + " failed: {}; trying again every {} s.", e.getMessage(), RETRY.toSeconds());
                }
                lastFailure = String.valueOf(e.getMessage());
                again = true;
                try {
                    Thread.sleep(RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            why = "Redis lost data again while the cache was rebuilt";
        } while (again);
    }

    /**
     * Claims the rebuild; when another process holds it, follows its progress until its claim is gone.
     *
     * @return true when this process holds the claim and rebuilds; false when another process did it (or it ended
     *         otherwise), and nothing is left to do
     */
    private boolean claimedOrDoneElsewhere(String reason) throws InterruptedException {
        long noticed = System.currentTimeMillis();
        String key = PublishedRewarm.claimKey(config.kafka().applicationId());
        try (RedisConnection<String, String> redis = redis()) {
            redis.sync().set(PublishedRewarm.noticedKey(config.kafka().applicationId()), String.valueOf(noticed));
            while (true) {
                String mine = describe(reason, 0, 0, null);
                if ("OK".equals(redis.sync().set(key, mine, SetArgs.Builder.nx().px(CLAIM_TTL.toMillis())))) {
                    return true;
                }
                boolean logged = false;
                String theirs;
                while ((theirs = redis.sync().get(key)) != null) {
                    progress = new Progress(State.REWARMING, "in another process: " + theirs, 0, 0, null, noticed);
                    if (!logged) {
                        LOG.info("Another process rebuilds the cache after the data loss ({}); following it.", theirs);
                        logged = true;
                    }
                    Thread.sleep(1_000);
                }
                String done = redis.sync().get(PublishedRewarm.doneKey(config.kafka().applicationId()));
                if (done != null && Long.parseLong(done) >= noticed) {
                    progress = Progress.IDLE;
                    return false;
                }
                LOG.info("The process that rebuilt the cache stopped before it was done; taking the rebuild over.");
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            LOG.debug("Could not claim the rebuild ({}); rebuilding here.", e.getMessage());
            return true;
        }
    }

    private static String describe(String reason, long total, long remaining, Double secondsLeft) {
        return String.format("%,d of %,d records to go%s (%s)", remaining, total,
                secondsLeft == null ? "" : String.format(", about %.0f s", secondsLeft), reason);
    }

    private void rebuild(String reason) throws InterruptedException {
        List<FamilyConfig> fenced = config.families().stream().filter(FamilyConfig::fencing).toList();
        List<String> unfenced = config.families().stream().filter(f -> !fenced.contains(f)).map(FamilyConfig::name)
                .toList();
        if (!unfenced.isEmpty()) {
            LOG.atWarn().addKeyValue("event", "rewarm_unfenced").log("Families {} are not rebuilt: without fencing, an"
                    + " older value could replace a newer one beside live writes. Their keys come back as rows change.",
                    unfenced);
        }
        if (fenced.isEmpty()) {
            return;
        }
        long started = System.currentTimeMillis();
        String application = config.kafka().applicationId() + ".rewarm." + Long.toString(started, 36);
        WarmerConfig replay = config.with(config.kafka().withApplicationId(application), fenced);
        try {
            long writes;
            long total;
            String claim = PublishedRewarm.claimKey(config.kafka().applicationId());
            try (RedisConnection<String, String> redis = redis();
                 Replay replaying = starting(replay, redis, claim, reason)) {
                total = replaying.total();
                progress = new Progress(State.REWARMING, reason, total, total, null, started);
                LOG.atInfo().addKeyValue("event", "rewarm_started").addKeyValue("records", total)
                        .addKeyValue("families", fenced.size()).addKeyValue("application", application)
                        .log("Rebuilding {} families from the change topics ({} records) beside live streaming, as"
                                + " application {}{}.", fenced.size(), total, application,
                                config.redis().rewarm().rate() > 0 ? " at most " + config.redis().rewarm().rate()
                                        + " keys/s" : "");
                RateLimit limit = new RateLimit(config.redis().rewarm().rate(), replaying);
                while (true) {
                    long remaining = replaying.behind();
                    double seconds = (System.currentTimeMillis() - started) / 1000.0;
                    long done = Math.max(0, total - remaining);
                    Double left = done > 0 && seconds > 1 ? remaining * seconds / done : null;
                    progress = new Progress(State.REWARMING, reason, total, remaining, left, started);
                    if (remaining == 0 && replaying.done()) {
                        break;
                    }
                    refresh(redis, claim, describe(reason, total, remaining, left));
                    limit.keep();
                    Thread.sleep(POLL.toMillis());
                }
                writes = replaying.writes();
                redis.sync().set(PublishedRewarm.doneKey(config.kafka().applicationId()), String.valueOf(System.currentTimeMillis()));
                redis.sync().del(claim);
            } catch (InterruptedException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("closing the rebuild: " + e.getMessage(), e);
            }
            double seconds = (System.currentTimeMillis() - started) / 1000.0;
            progress = Progress.IDLE;
            LOG.atInfo().addKeyValue("event", "rewarm_done").addKeyValue("records", total)
                    .addKeyValue("writes", writes).addKeyValue("seconds", seconds)
                    .log("Rebuilt the cache from the change topics: {} records, {} keys written or deleted, in {} s.",
                            total, writes, String.format("%.1f", seconds));
        } finally {
            forget(application);
        }
    }

    /**
     * Starts the replay, which first reads the keys of every record to replay ({@code HistoryScan}); the claim is kept
     * meanwhile, however long that takes.
     */
    private Replay starting(WarmerConfig replay, RedisConnection<String, String> redis, String claim, String reason) {
        ScheduledExecutorService keeper = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("warmer-rewarm-claim"));
        try {
            keeper.scheduleAtFixedRate(() -> refresh(redis, claim, "reading the change topics' keys (" + reason + ")"),
                    0, CLAIM_TTL.toMillis() / 4, TimeUnit.MILLISECONDS);
            return replays.apply(replay);
        } finally {
            keeper.shutdownNow();
        }
    }

    /** Keeps the claim, with the progress for the other processes and {@code warmer status}; a failure is retried. */
    private static void refresh(RedisConnection<String, String> redis, String claim, String text) {
        try {
            redis.sync().set(claim, text, SetArgs.Builder.px(CLAIM_TTL.toMillis()));
        } catch (RuntimeException e) {
            LOG.debug("Could not refresh the rebuild's claim: {}", e.getMessage());
        }
    }

    /** The rebuild's consumer group, internal topics and published counters go once it ends. */
    private void forget(String application) {
        try {
            Materializers.deleteApplication(config, application);
        } catch (RuntimeException | InterruptedException e) {
            LOG.info("Left the rebuild's application {} in Kafka: {}", application, e.getMessage());
        }
        try (RedisConnection<String, String> redis = redis()) {
            redis.sync().unlink(PublishedCounters.keyOf(application));
        } catch (Exception e) {
            LOG.debug("Left the rebuild's published counters: {}", e.getMessage());
        }
    }

    /** Keeps the replay at most at {@code rate} writes a second, by pausing it while it is ahead. */
    private static final class RateLimit {
        private final int rate;
        private final Replay replay;
        private final long startedNanos = System.nanoTime();
        private boolean paused;

        RateLimit(int rate, Replay replay) {
            this.rate = rate;
            this.replay = replay;
        }

        void keep() {
            if (rate <= 0) {
                return;
            }
            double allowed = rate * (System.nanoTime() - startedNanos) / 1e9;
            boolean ahead = replay.writes() > allowed;
            if (ahead && !paused) {
                replay.pause();
                paused = true;
            } else if (!ahead && paused) {
                replay.resume();
                paused = false;
            }
        }
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
