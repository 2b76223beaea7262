/**
 * {@code GET /metrics}: the service's figures as Prometheus text, through Micrometer. {@link io.warmer.metrics.WarmerMetrics}
 * assembles the registry; the series named {@code warmer_*} are a public contract (the Grafana dashboard and the
 * README use them), listed in its javadoc.
 */
package io.warmer.metrics;
