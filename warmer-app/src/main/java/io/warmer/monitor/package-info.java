/**
 * Watching a running service: readiness by values, not presence ({@link io.warmer.monitor.WarmupGate}), liveness
 * and the figures the page and the metrics show ({@link io.warmer.monitor.PipelineMonitor}, {@link
 * io.warmer.monitor.PipelineStatus}, {@link io.warmer.monitor.Health}).
 */
package io.warmer.monitor;
