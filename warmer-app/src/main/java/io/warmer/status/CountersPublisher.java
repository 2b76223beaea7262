package io.warmer.status;

import io.warmer.concurrent.DaemonThreads;
import io.warmer.config.WarmerConfig;
import io.warmer.sink.SinkCounters;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
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
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("warmer-counters-publisher"));
    private final Redis process;
    private RedisConnection<String, String> redis;
    private Map<String, SinkCounters.Counts> published = Map.of();
    private boolean brokenCleared;
    private boolean failing;

    private CountersPublisher(WarmerConfig config, Redis process, SinkCounters counters) {
        this.config = config;
        this.process = process;
        this.counters = counters;
        this.key = PublishedCounters.keyOf(config.kafka().applicationId());
    }

    /** @param process the process's Redis, which {@code config.redis()} names */
    public static CountersPublisher start(WarmerConfig config, Redis process, SinkCounters counters) {
        CountersPublisher publisher = new CountersPublisher(config, process, counters);
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
                redis = process.connect();
            }
            if (!brokenCleared) {
                // This process starts with its own configuration: what an earlier one found broken is its to judge.
                PublishedCounters.clearBroken(redis.sync(), key, config.families().stream()
                        .map(io.warmer.config.FamilyConfig::name).toList());
                brokenCleared = true;
            }
            PublishedCounters.add(redis.sync(), key, published, now);
            PublishedCounters.broken(redis.sync(), key, broken);
            published = now;
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warn("Cannot publish the counters for `warmer status` to {} in {}: {}; retrying every second."
                        + " Caching is not affected.", key, process.where(), e.getMessage());
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
            redis.close();
        }
    }
}
