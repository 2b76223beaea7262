package io.warmer.service;

import io.warmer.concurrent.DaemonThreads;
import io.warmer.backfill.FamilyRegistry;
import io.warmer.backfill.Materializers;
import io.warmer.backfill.Registration;
import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.config.WarmerConfig;
import io.warmer.status.ConsumerProgress;
import io.warmer.topology.History;
import io.warmer.topology.WarmerTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the families their own materializer is still filling from the change topics (see {@link Materializers}):
 * how many records each has to go, and, once its application committed past the end the topics had when the family
 * was added, marks it ready in the registry and says so in one line with the figures.
 */
final class BackfillWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillWatch.class);
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final WarmerConfig config;
    private final Materializers plan;
    private final Map<String, History> histories;
    private final List<Registration> pending;
    private final Map<String, Long> remaining = new ConcurrentHashMap<>();
    private final Map<String, ConsumerProgress.CatchUp> catchUps = new java.util.HashMap<>();
    private final ScheduledExecutorService timer;
    private final Admin admin;

    private BackfillWatch(WarmerConfig config, Materializers plan, Map<String, History> histories) {
        this.config = config;
        this.plan = plan;
        this.histories = histories;
        List<Registration> pending = plan.backfilling();
        this.pending = new ArrayList<>(pending);
        pending.forEach(r -> remaining.put(r.family(), r.marks().values().stream().mapToLong(Long::longValue).sum()));
        this.admin = ChangeTopicProvisioner.connect(config.kafka().clients());
        this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("warmer-backfill-watch"));
    }

    /**
     * @param histories what each application replays, by application id: a backfill's joined family writes its values
     *                  once released ({@link History})
     * @return a watch with nothing to do when no family backfills
     */
    static BackfillWatch start(WarmerConfig config, Materializers plan, Map<String, History> histories) {
        BackfillWatch watch = new BackfillWatch(config, plan, histories);
        if (!watch.pending.isEmpty()) {
            watch.timer.scheduleWithFixedDelay(watch::look, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
        return watch;
    }

    /** Per backfilling family, the change records its materializer has not committed yet; gone once filled. */
    Map<String, Long> remaining() {
        return Map.copyOf(remaining);
    }

    private synchronized void look() {
        var it = pending.iterator();
        while (it.hasNext()) {
            Registration r = it.next();
            long behind;
            try {
                // Joined rows included: they reach their main rows through the application's route topics.
                behind = catchUps.computeIfAbsent(r.family(), f -> new ConsumerProgress(admin, r.application())
                        .catchUp(r.marks(), WarmerTopology.joinRouteTiers(plan.configOf(f)))).behind();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.debug("Could not read the backfill of family {}: {}", r.family(), e.getMessage());
                continue;
            }
            if (behind > 0) {
                remaining.put(r.family(), behind);
                continue;
            }
            // Every process that runs the application releases its tasks, and marks the family once its own wrote.
            History history = histories.get(r.application());
            if (history != null) {
                history.release();
                if (!history.assembled(plan.configOf(r.family()))) {
                    remaining.put(r.family(), 0L);
                    continue;
                }
            }
            long now = System.currentTimeMillis();
            try {
                new FamilyRegistry(config).write(List.of(r.ready(now)));
            } catch (RuntimeException e) {
                LOG.warn("Family {} is filled, but the registry could not say so yet (retried): {}", r.family(),
                        e.getMessage());
                continue;
            }
            long records = r.marks().values().stream().mapToLong(Long::longValue).sum();
            LOG.atInfo().addKeyValue("event", "backfill_done").addKeyValue("family", r.family())
                    .addKeyValue("application", r.application()).addKeyValue("records", records)
                    .addKeyValue("seconds", (now - r.sinceMs()) / 1000.0)
                    .log("Family {} is filled from the change topics: {} records in {} s since it was added; it"
                            + " follows them like every family now.", r.family(), records,
                            String.format("%.1f", (now - r.sinceMs()) / 1000.0));
            remaining.remove(r.family());
            it.remove();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
