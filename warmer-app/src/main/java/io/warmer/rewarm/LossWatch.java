package io.warmer.rewarm;

import io.warmer.concurrent.DaemonThreads;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.slots.ClusterSlotRange;
import io.lettuce.core.cluster.models.slots.ClusterSlotsParser;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * {@code run_id} with the counter intact) is no loss either. The counter has no TTL, and its once-a-second use keeps
 * it the hottest key under an LRU or LFU policy; only {@code allkeys-random} eviction could take it (a false alarm,
 * which costs one rebuild and nothing else).
 */
public final class LossWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LossWatch.class);
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final Redis process;
    private final String applicationId;
    private final boolean wroteBefore;
    private final Consumer<String> lost;
    private final Map<String, Long> seen = new HashMap<>();
    private final ScheduledExecutorService timer;
    private RedisConnection<String, String> redis;
    private List<String> keys;
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
            for (String key : keys) {
                long value = redis.sync().incr(key);
                Long last = seen.put(key, value);
                if (last == null && value == 1 && wroteBefore) {
                    report(process.where() + " holds no trace of what this deployment wrote before"
                            + " Warmer started (" + key + " is new): its data was lost while Warmer was not running");
                } else if (last != null && value <= last) {
                    report(process.where() + " lost data: " + key + " went back from " + last + " to "
                            + value + " (a FLUSHALL, a restart without persistence or from an older save, or a"
                            + " failover to a replica that missed the last writes)");
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
