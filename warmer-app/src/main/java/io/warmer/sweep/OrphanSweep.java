package io.warmer.sweep;

import io.warmer.concurrent.DaemonThreads;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.warmer.backfill.Materializers;
import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.capture.snapshot.CompletedSnapshot;
import io.warmer.change.ChangeTopics;
import io.warmer.config.WarmerConfig;
import io.warmer.family.KeyFamily;
import io.warmer.family.KeyTemplate;
import io.warmer.family.ValueShape;
import io.warmer.sink.FencedWrites;
import io.warmer.status.ConsumerProgress;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import io.warmer.redis.RedisScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes, once a table's snapshot is complete and applied, the keys of its families that no row accounts for:
 * those whose version is older than the snapshot's start. Every row that exists was written again since then (by its
 * chunk, or by a change the stream delivered while its chunk was read), so an older key belongs to a row deleted while
 * nothing captured it (the slot was gone, the table was truncated, the row went before an earlier snapshot). The
 * check and the delete are one script per batch, so a change written meanwhile is never removed.
 *
 * <p>Only fenced families have versions to tell; a key that also fits another family's key template is left, since
 * it may be that family's. Runs on a thread of its own, paced at {@link #KEYS_PER_SECOND} keys scanned per second.
 */
public final class OrphanSweep implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OrphanSweep.class);

    /** Keys scanned per second: a pace a production Redis absorbs beside its own traffic. */
    public static final int KEYS_PER_SECOND = 20_000;
    static final int SCAN_PAGE = 1_000;
    static final Duration CATCH_UP_POLL = Duration.ofSeconds(1);
    static final RedisScript SCRIPT = RedisScript.of(OrphanSweep.class, "sweep-orphans.lua");

    private final WarmerConfig config;
    private final Redis process;
    private final List<KeyFamily> families;
    private final BiConsumer<CompletedSnapshot, Map<String, Long>> swept;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(DaemonThreads.named("warmer-orphan-sweep"));
    private volatile boolean closed;

    /** @param swept told, per swept table, how many keys of each family were removed */
    public OrphanSweep(WarmerConfig config, Redis process, BiConsumer<CompletedSnapshot, Map<String, Long>> swept) {
        this.config = config;
        this.process = process;
        this.families = config.keyFamilies();
        this.swept = swept;
    }

    /** Sweeps the table's families once the materializer has applied its snapshot; returns at once. */
    public void snapshotCompleted(CompletedSnapshot snapshot) {
        worker.execute(() -> {
            try {
                sweep(snapshot);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (closed) {
                    // Stopping interrupts a sweep's Redis command (Lettuce: "Command interrupted"): no failure.
                    LOG.debug("Removing the keys of {} that no row accounts for stopped with Warmer ({}); it is"
                            + " tried again when the capture restarts.", snapshot.table(), e.getMessage());
                } else {
                    LOG.warn("Removing the keys of {} that no row accounts for failed ({}); it is tried again when"
                            + " the capture restarts.", snapshot.table(), e.getMessage());
                }
            }
        });
    }

    private void sweep(CompletedSnapshot snapshot) throws InterruptedException {
        List<KeyFamily> ofTable = families.stream().filter(f -> f.table().equals(snapshot.table())).toList();
        if (!awaitApplied(snapshot)) {
            return;
        }
        Map<String, Long> removed = new LinkedHashMap<>();
        if (!ofTable.isEmpty()) {
            try (RedisConnection<String, String> redis = process.connect()) {
                for (KeyFamily family : ofTable) {
                    if (!family.fencing().enabled()) {
                        LOG.info("Family {} has fencing off, so its keys carry no versions: keys of rows deleted while"
                                + " nothing captured them are not removed (warmer verify --full lists them).", family.name());
                        continue;
                    }
                    long count = sweep(family, snapshot, redis.sync());
                    removed.put(family.name(), count);
                    LOG.atInfo().addKeyValue("event", "orphans_removed").addKeyValue("family", family.name())
                            .addKeyValue("table", snapshot.table().qualified()).addKeyValue("removed", count)
                            .log("Removed {} {} of family {} that no row of {} accounts for (written before its"
                                    + " snapshot began).", count, family.value() instanceof ValueShape.Members
                                    ? "members" : "keys", family.name(), snapshot.table());
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException interrupted) {
                    throw interrupted;
                }
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        swept.accept(snapshot, removed);
    }

    /**
     * Waits until every materializer of the table's families (the configured application, and the own application
     * of each family added later) has committed past the snapshot's markers; false when closed.
     */
    private boolean awaitApplied(CompletedSnapshot snapshot) throws InterruptedException {
        String topic = ChangeTopics.topicFor(config.kafka().topicPrefix(), snapshot.table());
        boolean logged = false;
        Materializers plan = Materializers.read(config);
        Set<String> groups = new LinkedHashSet<>();
        config.families().stream().filter(f -> f.table().equals(snapshot.table())
                        || f.joinedTables().contains(snapshot.table()))
                .forEach(f -> groups.add(plan.applicationOf(f.name())));
        try (Admin admin = ChangeTopicProvisioner.connect(config.kafka().clients())) {
            Map<TopicPartition, Long> marks = new HashMap<>();
            snapshot.markerOffsets().forEach((partition, offset) -> marks.put(new TopicPartition(topic, partition), offset + 1));
            if (marks.isEmpty()) {
                marks.putAll(new ConsumerProgress(admin, config.kafka().applicationId()).endOffsets(List.of(topic)));
            }
            while (!closed) {
                long behind = 0;
                for (String group : groups) {
                    behind += new ConsumerProgress(admin, group).behind(marks);
                }
                if (behind == 0) {
                    return true;
                }
                if (!logged) {
                    LOG.info("The snapshot of {} is complete; its keys that no row accounts for are removed once the"
                            + " materializers ({}) have applied it.", snapshot.table(), String.join(", ", groups));
                    logged = true;
                }
                TimeUnit.MILLISECONDS.sleep(CATCH_UP_POLL.toMillis());
            }
        }
        return false;
    }

    private long sweep(KeyFamily family, CompletedSnapshot snapshot, RedisClusterCommands<String, String> redis)
            throws InterruptedException {
        boolean cluster = process.cluster();
        String threshold = snapshot.startVersion().text();
        String tombstoneTtl = String.valueOf(family.fencing().tombstoneTtl().toMillis());
        int cap = family.value() instanceof ValueShape.Members members ? members.cap() : 0;
        long removed = 0;
        long scanned = 0;
        long started = System.nanoTime();
        for (KeyTemplate template : family.keys()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(template.globPattern()).limit(SCAN_PAGE));
                Map<Integer, List<String>> bySlot = new HashMap<>();
                for (String key : page.getKeys()) {
                    if (template.match(key).isPresent() && !ofAnotherFamily(family, key)) {
                        int slot = cluster ? SlotHash.getSlot(key) : 0;
                        List<String> keys = bySlot.computeIfAbsent(slot, s -> new ArrayList<>());
                        keys.add(key);
                        keys.add(FencedWrites.versionKeyOf(key));
                        if (cap > 0) {
                            keys.add(FencedWrites.restKeyOf(key));
                        }
                    }
                }
                for (List<String> keys : bySlot.values()) {
                    Long count = redis.eval(SCRIPT.source(), ScriptOutputType.INTEGER, keys.toArray(String[]::new), threshold,
                            tombstoneTtl, String.valueOf(cap));
                    removed += count == null ? 0 : count;
                }
                scanned += page.getKeys().size();
                pace(scanned, started);
                cursor = page;
            } while (!cursor.isFinished() && !closed);
        }
        return removed;
    }

    private boolean ofAnotherFamily(KeyFamily family, String key) {
        for (KeyFamily other : families) {
            if (other != family && other.keys().stream().anyMatch(t -> t.match(key).isPresent())) {
                return true;
            }
        }
        return false;
    }

    private static void pace(long scanned, long startedNanos) throws InterruptedException {
        long due = startedNanos + TimeUnit.SECONDS.toNanos(1) * scanned / KEYS_PER_SECOND;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
