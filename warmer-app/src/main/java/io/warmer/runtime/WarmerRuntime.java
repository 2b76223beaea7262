package io.warmer.runtime;

import io.warmer.config.WarmerConfig;
import io.warmer.runtime.ServiceMonitoring;
import io.warmer.redis.Redis;
import io.warmer.service.Role;
import io.warmer.service.WarmerService;
import io.warmer.monitor.WarmupGate;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A running Warmer process: the process's {@link Redis}, the {@link WarmerService} and what watches it
 * ({@link ServiceMonitoring}). What {@code run}, {@code warmup} and the demo start. Started in dependency order and
 * closed in reverse: the monitoring first (no probe reads a closing service), then the service (the capture stores
 * its offsets, the materializer flushes Redis and commits), then Redis.
 */
public final class WarmerRuntime implements AutoCloseable {

    private final Redis redis;
    private final WarmerService service;
    private final ServiceMonitoring monitoring;

    private WarmerRuntime(Redis redis, WarmerService service, ServiceMonitoring monitoring) {
        this.redis = redis;
        this.service = service;
        this.monitoring = monitoring;
    }

    /**
     * @param redis         the process's Redis, for {@code config.redis()}: the runtime owns it from here, and closes
     *                      it also when the start fails
     * @param targets       what readiness requires: {@code http.ready}, or a warm-up's own options
     * @param checkInterval how often readiness is checked
     * @throws RuntimeException with a one-line, fix-it message when a server is unreachable or misconfigured
     * @throws SQLException when the database cannot be reached for the coverage checks
     */
    public static WarmerRuntime start(WarmerConfig config, Redis redis, Role role, WarmupGate.Targets targets,
                                      Duration checkInterval) throws SQLException {
        WarmerService service = null;
        try {
            service = WarmerService.start(config, role, redis);
            return new WarmerRuntime(redis, service, ServiceMonitoring.start(config, service, targets, checkInterval));
        } catch (RuntimeException | SQLException e) {
            if (service != null) {
                service.close();
            }
            redis.close();
            throw e;
        }
    }

    /** {@link #start} with {@code http.ready}'s targets and {@code http.check-interval}. */
    public static WarmerRuntime start(WarmerConfig config, Redis redis, Role role) throws SQLException {
        return start(config, redis, role, ServiceMonitoring.configuredTargets(config.http()),
                config.http().checkInterval());
    }

    public WarmerService service() {
        return service;
    }

    public ServiceMonitoring monitoring() {
        return monitoring;
    }

    public Redis redis() {
        return redis;
    }

    @Override
    public void close() {
        monitoring.close();
        service.close();
        redis.close();
    }
}
