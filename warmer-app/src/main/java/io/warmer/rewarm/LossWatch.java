package io.warmer.rewarm;

import io.warmer.concurrent.DaemonThreads;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.slots.ClusterSlotRange;
import io.lettuce.core.cluster.models.slots.ClusterSlotsParser;
import io.warmer.redis.InfoFields;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that Redis lost data Warmer wrote. Every second it increments a counter key of its own on each node
 * (standalone: one; a cluster: one in a slot of each master) and remembers the value it got. Redis never makes a
 * counter go back by itself, so a value at or below the last one means that node lost writes: a FLUSHALL or FLUSHDB
 * (the counter starts again at 1), a restart without persistence (the same), a restart from an older RDB or AOF, or
 * a failover to a replica that had not received the last writes (the counter is what the replica had). Replication
 * applies a master's writes in order, so a node that lost the counter's last increments lost everything written
 * after them too, and a node that kept them kept everything before. Expiry and eviction of the families' own keys
 * say nothing (they are ordinary), which is why their count is not a signal; a restart that kept the data (a new
 * {@code run_id} with the counter intact) is no loss either.
 *
 * <p>Eviction can take the counter itself: under {@code allkeys-random}, and under an LRU policy too, whose idle
 * clock counts whole seconds, so a counter used once a second is no hotter than a key a snapshot wrote a second ago
 * (EvictionGuardIT saw it go in CI). A counter back at 1 is then no loss: what Redis evicted is missing, never
 * wrong, and a rebuild would write the whole keyspace into a Redis that has no room (the eviction guard holds writing
 * paused for that very reason). So each look also reads each master's {@code run_id}, {@code evicted_keys} and how
 * often FLUSHALL and FLUSHDB ran ({@link ServerFacts}), after its increments (and the first look before its
 * own, as a counter can be evicted right after its first increment); the counter back at 1 counts as evicted
 * only when, between what INFO said before the increment that gave the last value and now, every master is the same
 * server, keys were evicted and nothing was flushed. Anything else, or an INFO Redis does not answer, is a loss as
 * before.
 */
public final class LossWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LossWatch.class);
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final Redis process;
    private final String applicationId;
    private final boolean wroteBefore;
    private final Consumer<String> lost;
    /** Per counter, the value its last increment gave, and what INFO said last before that increment. */
    private final Map<String, Seen> seen = new HashMap<>();
    private final ScheduledExecutorService timer;
    private RedisConnection<String, String> redis;
    private List<String> keys;
    /** What INFO said after the last look's increments (the first look: before them too); null when not readable. */
    private ServerFacts latestFacts;
    private String lastError;

    /**
     * @param wroteBefore whether this deployment has written to Redis before this start (its materializer has committed
     *                    offsets): then a counter missing at the first look was lost while Warmer was not running
     * @param lost        told the reason, in words, each time a node is found to have lost data
     */
    private LossWatch(Redis process, String applicationId, boolean wroteBefore, Consumer<String> lost) {
        this.process = process;
        this.applicationId = applicationId;
        this.wroteBefore = wroteBefore;
        this.lost = lost;
        this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("warmer-loss-watch"));
    }

    public static LossWatch start(Redis process, String applicationId, boolean wroteBefore, Consumer<String> lost) {
        LossWatch watch = new LossWatch(process, applicationId, wroteBefore, lost);
        watch.timer.scheduleWithFixedDelay(watch::look, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return watch;
    }

    /** A counter key; {@code tag} places it in a slot (in a cluster, one of the master it watches). */
    static String counterKey(String applicationId, String tag) {
        return "warmer:pulse:{" + tag + "}:" + applicationId;
    }

    private void look() {
        try {
            if (redis == null) {
                redis = process.connect();
                keys = counterKeys();
            }
            record WentBack(String key, Seen last, long value) {
            }
            List<WentBack> wentBack = new ArrayList<>();
            if (seen.isEmpty()) {
                // The first look has no increment before it to lose, so INFO may come first here: without it, a
                // counter evicted after its first increment would have nothing to be told apart from a loss by.
                latestFacts = ServerFacts.read(redis);
            }
            // The increments first, so that reading INFO never delays them: a failover test cuts a replica off for
            // two seconds, and only an increment the replica misses in them tells the loss.
            for (String key : keys) {
                long value = redis.sync().incr(key);
                Seen last = seen.put(key, new Seen(value, latestFacts));
                if (last == null && value == 1 && wroteBefore) {
                    report(process.where() + " holds no trace of what this deployment wrote before"
                            + " Warmer started (" + key + " is new): its data was lost while Warmer was not running");
                } else if (last != null && value <= last.value()) {
                    wentBack.add(new WentBack(key, last, value));
                }
            }
            // After the increments: between what INFO said before the one that gave the last value and now, the
            // counter was lost.
            ServerFacts now = ServerFacts.read(redis);
            latestFacts = now;
            for (WentBack counter : wentBack) {
                ServerFacts before = counter.last().before();
                if (counter.value() == 1 && now != null && now.onlyEvictedSince(before)) {
                    LOG.atWarn().addKeyValue("event", "redis_pulse_evicted").log("{} evicted {} at {} (evicted_keys rose by"
                                    + " {}, the same server, no FLUSHALL or FLUSHDB): keys were evicted, not lost, so"
                                    + " Warmer does not rebuild into a full Redis. Evicted keys are missing until their"
                                    + " rows change; `warmer verify` counts them.",
                            process.where(), counter.key(), counter.last().value(),
                            now.evictedKeys() - before.evictedKeys());
                } else {
                    report(process.where() + " lost data: " + counter.key() + " went back from " + counter.last().value()
                            + " to " + counter.value() + " (a FLUSHALL, a restart without persistence or from an older"
                            + " save, or a failover to a replica that missed the last writes)");
                }
            }
            lastError = null;
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!message.equals(lastError)) {
                LOG.debug("Could not look for data loss in {}: {}", process.where(), message);
            }
            lastError = message;
        }
    }

    /** A counter's value as its last increment gave it, and what INFO said last before that increment (or null). */
    private record Seen(long value, ServerFacts before) {
    }

    /**
     * What the masters' INFO says about their history, summed over the masters of a cluster.
     *
     * @param runIds      each master's {@code run_id}: a restart or a failover changes it
     * @param evictedKeys {@code evicted_keys}; it goes back at a restart and at {@code CONFIG RESETSTAT}
     * @param flushes     calls of FLUSHALL and FLUSHDB ({@code INFO commandstats}), reset as {@code evicted_keys} is
     */
    record ServerFacts(Set<String> runIds, long evictedKeys, long flushes) {

        /** Null when a master does not answer INFO in full (a proxy or an ACL may hide it): nothing is proven then. */
        static ServerFacts read(RedisConnection<String, String> redis) {
            Set<String> runIds = new TreeSet<>();
            long evicted = 0;
            long flushes = 0;
            try {
                for (RedisConnection.Node<String, String> node : redis.masters()) {
                    ServerFacts one = parse(node.sync().info("server"), node.sync().info("stats"),
                            node.sync().info("commandstats"));
                    if (one == null) {
                        return null;
                    }
                    runIds.addAll(one.runIds());
                    evicted += one.evictedKeys();
                    flushes += one.flushes();
                }
            } catch (RuntimeException e) {
                LOG.debug("Could not read INFO from {}: {}", redis.address(), e.getMessage());
                return null;
            }
            return new ServerFacts(runIds, evicted, flushes);
        }

        static ServerFacts parse(String server, String stats, String commandstats) {
            var runId = InfoFields.field(server, "run_id");
            var evicted = InfoFields.field(stats, "evicted_keys");
            if (runId.isEmpty() || evicted.isEmpty() || !commandstats.contains("# Commandstats")) {
                return null;
            }
            // A command never called since the last reset has no line.
            long flushes = calls(commandstats, "flushall") + calls(commandstats, "flushdb");
            return new ServerFacts(Set.of(runId.get()), Long.parseLong(evicted.get()), flushes);
        }

        private static long calls(String commandstats, String command) {
            return InfoFields.field(commandstats, "cmdstat_" + command)
                    .map(stat -> stat.split(",")[0]) // calls=N,usec=...
                    .map(calls -> Long.parseLong(calls.substring(calls.indexOf('=') + 1)))
                    .orElse(0L);
        }

        /** Whether, since {@code earlier}, every master stayed the same server, evicted keys, and flushed nothing. */
        boolean onlyEvictedSince(ServerFacts earlier) {
            return earlier != null && runIds.equals(earlier.runIds) && evictedKeys > earlier.evictedKeys
                    && flushes == earlier.flushes;
        }
    }

    private void report(String reason) {
        LOG.atWarn().addKeyValue("event", "redis_data_lost").log("{}.", reason);
        lost.accept(reason);
    }

    /** One key per master, each in a slot that master serves (standalone: one key). */
    private List<String> counterKeys() {
        if (!process.cluster()) {
            return List.of(counterKey(applicationId, applicationId));
        }
        List<String> perMaster = new ArrayList<>();
        List<ClusterSlotRange> ranges = ClusterSlotsParser.parse(redis.sync().clusterSlots());
        for (ClusterSlotRange range : ranges) {
            for (int i = 0; ; i++) {
                String tag = applicationId + "-" + i;
                int slot = SlotHash.getSlot(tag);
                if (slot >= range.getFrom() && slot <= range.getTo()) {
                    perMaster.add(counterKey(applicationId, tag));
                    break;
                }
            }
        }
        return perMaster;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (redis != null) {
            redis.close();
        }
    }
}
