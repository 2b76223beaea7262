package io.warmer.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.warmer.sink.SinkCounters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * What the sink did, per family, from its {@link SinkCounters}: the writes Redis acknowledged, the stale writes it
 * refused, the changes set aside, how long each write took to be acknowledged and how many are still in flight.
 * Closing it stops timing the writes, which then cost nothing again.
 */
final class SinkMetrics implements MeterBinder, AutoCloseable {

    /** Round latencies a dashboard may want to read exactly; the percentile histogram fills in between. */
    static final Duration[] WRITE_LATENCY_SLOS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
    private static final SinkCounters.Counts NONE = new SinkCounters.Counts(0, 0, 0);

    private final SinkCounters counters;
    private final List<String> families;
    /** Write timers by family, filled before the hook is set: the hook only reads it. */
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
    private final Set<String> deadLetterSeries = ConcurrentHashMap.newKeySet();
    private final SinkCounters.WriteTimer hook = this::acknowledged;
    private volatile MeterRegistry registry;

    /** @param families the configured families, which appear from the start with 0 */
    SinkMetrics(SinkCounters counters, List<String> families) {
        this.counters = counters;
        this.families = List.copyOf(families);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        for (String family : families) {
            counter(registry, "warmer.keys.written", "Writes of the family's keys that Redis acknowledged (stale"
                    + " writes it refused included)", family, c -> countsOf(c, family).puts());
            counter(registry, "warmer.keys.deleted", "Deletes of the family's keys that Redis acknowledged", family,
                    c -> countsOf(c, family).deletes());
            counter(registry, "warmer.writes.fenced", "Writes Redis refused because the key held the same or a newer"
                    + " version (stale-write fencing)", family, c -> countsOf(c, family).fenced());
            counter(registry, "warmer.values.unavailable", "Rows whose keys the family deleted instead of writing, because"
                    + " PostgreSQL did not send a column it reads (an unchanged TOASTed value) and Warmer had not seen it",
                    family, c -> c.unavailableByFamily().getOrDefault(family, 0L));
            Gauge.builder("warmer.family.broken", counters, c -> c.brokenFamilies().containsKey(family) ? 1 : 0)
                    .description("1 while a column the family reads is gone from its table's changes or changed its"
                            + " type: its changes are dead-lettered and its keys deleted until the configuration is"
                            + " fixed and Warmer restarted")
                    .tag("family", family).register(registry);
            deadLettered(registry, family);
            latencies.put(family, latencyTimer(family).register(registry));
        }
        Gauge.builder("warmer.redis.pipeline.depth", counters, SinkCounters::unacknowledged)
                .description("Writes submitted and not yet acknowledged by Redis, buffered or sent, over all writers")
                .register(registry);
        counters.timeWrites(hook);
    }

    /**
     * Registers the dead-letter counters of families not configured as such, once they appear: a join's route
     * ({@code join <as>}) and {@link SinkCounters#UNATTRIBUTED}.
     */
    void refresh() {
        MeterRegistry bound = registry;
        if (bound != null) {
            counters.deadLetteredByFamily().keySet().forEach(family -> deadLettered(bound, family));
        }
    }

    private void deadLettered(MeterRegistry registry, String family) {
        if (deadLetterSeries.add(family)) {
            counter(registry, "warmer.dead.lettered", "Changes set aside to the dead-letter topic", family,
                    c -> c.deadLetteredByFamily().getOrDefault(family, 0L));
        }
    }

    private void counter(MeterRegistry registry, String name, String description, String family,
                         ToDoubleFunction<SinkCounters> count) {
        FunctionCounter.builder(name, counters, count).description(description).tag("family", family)
                .register(registry);
    }

    private static SinkCounters.Counts countsOf(SinkCounters counters, String family) {
        return counters.byFamily().getOrDefault(family, NONE);
    }

    private static Timer.Builder latencyTimer(String family) {
        return Timer.builder("warmer.write.latency")
                .description("Time from a write's submit to the sink to Redis acknowledging it")
                .tag("family", family)
                .publishPercentileHistogram()
                .serviceLevelObjectives(WRITE_LATENCY_SLOS)
                .minimumExpectedValue(WRITE_LATENCY_SLOS[0])
                .maximumExpectedValue(WRITE_LATENCY_SLOS[WRITE_LATENCY_SLOS.length - 1]);
    }

    /** On Redis's I/O thread, once per write. */
    private void acknowledged(String family, long nanos) {
        Timer timer = latencies.get(family);
        if (timer == null) {
            // Not configured as a family: nothing writes such a one today, but a timer costs one registration.
            timer = latencies.computeIfAbsent(family, f -> latencyTimer(f).register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        counters.stopTimingWrites(hook);
    }
}
