/**
 * The HTTP endpoints: {@code /health}, {@code /ready}, {@code /api/status}, the status page and, through
 * {@link io.warmer.http.MonitoringServer.Metrics}, {@code /metrics}. Serves what the monitor computes; decides nothing.
 */
package io.warmer.http;
