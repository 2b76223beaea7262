package io.warmer.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.warmer.monitor.WarmupGate;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The warm-up gate's last verdict as gauges: per family its coverage, lag and readiness, and overall readiness and
 * snapshot. They read the monitor's last check, so they change once per check interval, and are NaN before the first
 * check (and a family's coverage or lag while the check could not measure it).
 */
final class ReadinessMetrics implements MeterBinder {

    private final Supplier<WarmupGate.Status> lastCheck;
    private final List<String> families;
    private final boolean captures;

    /**
     * @param lastCheck the monitor's last check, null before the first
     * @param captures  whether this process runs the capture: only then does it know about the snapshot
     */
    ReadinessMetrics(Supplier<WarmupGate.Status> lastCheck, List<String> families, boolean captures) {
        this.lastCheck = lastCheck;
        this.families = List.copyOf(families);
        this.captures = captures;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String family : families) {
            familyGauge(registry, "warmer.coverage.ratio", "Share of the sampled rows' keys holding exactly what the"
                    + " database says, at the last check", family, WarmupGate.FamilyReadiness::coverage);
            familyGauge(registry, "warmer.stale.ratio", "Share of the sampled rows found stale (another value than the"
                    + " database's once the pipeline had passed the row's change), at the last check", family,
                    WarmupGate.FamilyReadiness::staleRatio);
            familyGauge(registry, "warmer.consumer.lag.records", "Change records not yet in the cache, at the last"
                    + " check", family, WarmupGate.FamilyReadiness::lag);
            familyGauge(registry, "warmer.family.ready", "1 when the family met every readiness target at the last"
                    + " check, else 0", family, f -> f.ready() ? 1 : 0);
        }
        Gauge.builder("warmer.ready", () -> statusGauge(s -> s.ready() ? 1 : 0))
                .description("1 when every family was ready at the last check (what GET /ready answers), else 0")
                .register(registry);
        if (captures) {
            Gauge.builder("warmer.snapshot.completed", () -> statusGauge(s -> s.snapshotDone() ? 1 : 0))
                    .description("1 once the capture's initial snapshot was complete at the last check, else 0")
                    .register(registry);
        }
    }

    private void familyGauge(MeterRegistry registry, String name, String description, String family,
                             Function<WarmupGate.FamilyReadiness, Number> value) {
        Gauge.builder(name, () -> statusGauge(status -> status.families().stream()
                        .filter(f -> f.family().equals(family)).findFirst().map(value).orElse(null)))
                .description(description).tag("family", family).register(registry);
    }

    /** NaN before the first check or when the check has no figure. */
    private Number statusGauge(Function<WarmupGate.Status, Number> value) {
        WarmupGate.Status status = lastCheck.get();
        Number number = status == null ? null : value.apply(status);
        return number == null ? Double.NaN : number;
    }
}
