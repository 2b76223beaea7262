package io.warmer.service;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.warmer.backfill.Materializers;
import io.warmer.capture.CaptureElection;
import io.warmer.capture.PostgresCapture;
import io.warmer.guard.EvictionGuard;
import io.warmer.redis.Redis;
import io.warmer.rewarm.Rewarm;
import io.warmer.sink.SinkCounters;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A running service as monitoring and metrics see it: what it is doing, read-only. It cannot be stopped through
 * this view, and it does not hand its configuration back: what watches a service is given the configuration itself.
 */
public interface ServiceView {

    /** Where the service is in its life. */
    ServiceState state();

    /** Why it is in that state, in words. */
    String stateReason();

    Role role();

    /** Whether this process captures, stands by for the slot, or neither (null: it only materializes). */
    CaptureElection election();

    /** The capture while this process captures; null when it only materializes, or stands by for the slot. */
    PostgresCapture capture();

    SinkCounters counters();

    /** The state of the materializer, or of its least healthy application when families have their own. */
    KafkaStreams.State materializerState();

    /** Which application materializes each family, and which families are still filled from the change topics. */
    Materializers materializers();

    /** Where the rebuild after a loss of Redis data stands; idle when there is none, or this process does not write. */
    Rewarm.Progress rewarm();

    /** Records each backfilling family's materializer still has to read; empty when none backfills. */
    Map<String, Long> backfillRemaining();

    /**
     * Kafka Streams' own metrics of the materializer, as a Micrometer binder for the caller to bind and close; null
     * when this process only captures.
     */
    KafkaStreamsMetrics materializerMetrics();

    /** Stream tasks (change-topic partitions) this process materializes right now. */
    int activeTasks();

    /** Whether writing is paused because Redis is evicting, and how often it was; watches nothing when off. */
    EvictionGuard evictionGuard();

    /** The process's Redis, for connections of the watcher's own. */
    Redis redis();
}
