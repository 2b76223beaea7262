package io.warmer.runtime;

import io.warmer.http.MonitoringServer;
import io.warmer.config.HttpSettings;
import io.warmer.metrics.WarmerMetrics;
import io.warmer.monitor.PipelineMonitor;
import io.warmer.config.WarmerConfig;
import io.warmer.service.ServiceView;
import io.warmer.monitor.WarmupGate;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * What watches a running service: the {@link PipelineMonitor}, always (a warm-up gates on it), and the HTTP
 * endpoints with their {@link WarmerMetrics}, unless {@code http.enabled} is false (nothing then times the writes).
 * Closed before the service, so that no probe reads a closing one.
 */
public final class ServiceMonitoring implements AutoCloseable {

    private final PipelineMonitor monitor;
    private final WarmerMetrics metrics;
    private final MonitoringServer server;

    private ServiceMonitoring(PipelineMonitor monitor, WarmerMetrics metrics, MonitoringServer server) {
        this.monitor = monitor;
        this.metrics = metrics;
        this.server = server;
    }

    /**
     * @param targets what readiness requires: {@code http.ready}, or a warm-up's own options
     * @throws SQLException when the database cannot be reached for the coverage checks
     */
    public static ServiceMonitoring start(WarmerConfig config, ServiceView service, WarmupGate.Targets targets)
            throws SQLException {
        return start(config, service, targets, config.http().checkInterval());
    }

    /** @param checkInterval how often readiness is checked, instead of {@code http.check-interval} */
    public static ServiceMonitoring start(WarmerConfig config, ServiceView service, WarmupGate.Targets targets,
                                          Duration checkInterval) throws SQLException {
        HttpSettings http = config.http();
        PipelineMonitor monitor = PipelineMonitor.start(config, service, targets, checkInterval);
        if (!http.enabled()) {
            return new ServiceMonitoring(monitor, null, null);
        }
        WarmerMetrics metrics = null;
        try {
            metrics = WarmerMetrics.start(config, service, monitor);
            return new ServiceMonitoring(monitor, metrics, MonitoringServer.start(http, monitor, metrics));
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            monitor.close();
            throw e;
        }
    }

    /** The targets {@code http.ready} sets, for {@code run} and the demo. */
    public static WarmupGate.Targets configuredTargets(HttpSettings http) {
        return new WarmupGate.Targets(http.ready());
    }

    public PipelineMonitor monitor() {
        return monitor;
    }

    /** The status page's address, when serving. */
    public Optional<URI> address() {
        return Optional.ofNullable(server).map(MonitoringServer::address);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        monitor.close();
    }
}
