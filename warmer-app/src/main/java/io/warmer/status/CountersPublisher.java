package io.warmer.status;

import io.warmer.config.WarmerConfig;
import io.warmer.sink.SinkCounters;
import io.warmer.verify.RedisReader;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the sink's counters to Redis once a second ({@link PublishedCounters}). A failed
 * publication is retried with the next one: only what was published is remembered as published,
 * so nothing is counted twice or lost.
 */
public final class CountersPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CountersPublisher.class);
    static final long INTERVAL_MS = 1_000;

    private final SinkCounters counters;
    private final WarmerConfig config;
    private final String key;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "warmer-counters-publisher");
        thread.setDaemon(true);
        return thread;
    });
    private RedisReader redis;
    private Map<String, SinkCounters.Counts> published = Map.of();
    private boolean brokenCleared;
    private boolean failing;

    private CountersPublisher(WarmerConfig config, SinkCounters counters) {
        this.config = config;
        this.counters = counters;
        this.key = PublishedCounters.keyOf(config.kafka().applicationId());
    }

    public static CountersPublisher start(WarmerConfig config, SinkCounters counters) {
        CountersPublisher publisher = new CountersPublisher(config, counters);
        publisher.timer.scheduleWithFixedDelay(publisher::publish, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
        return publisher;
    }

    private synchronized void publish() {
        Map<String, SinkCounters.Counts> now = counters.byFamily();
        Map<String, String> broken = counters.brokenFamilies();
        if (now.equals(published) && broken.isEmpty() && brokenCleared) {
            return;
        }
        try {
            if (redis == null) {
                redis = RedisReader.connect(config.redis());
            }
            if (!brokenCleared) {
                // This process starts with its own configuration: what an earlier one found broken is its to judge.
                PublishedCounters.clearBroken(redis.commands(), key, config.families().stream()
                        .map(io.warmer.config.FamilyConfig::name).toList());
                brokenCleared = true;
            }
            PublishedCounters.add(redis.commands(), key, published, now);
            PublishedCounters.broken(redis.commands(), key, broken);
            published = now;
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warn("Cannot publish the counters for `warmer status` to {} at {}: {}; retrying every second."
                        + " Caching is not affected.", key, config.redis().address(), e.getMessage());
            }
            failing = true;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publish(); // what the last flush acknowledged
        if (redis != null) {
            try {
                redis.close();
            } catch (Exception e) {
                LOG.debug("Closing the counters connection: {}", e.getMessage());
            }
        }
    }
}
