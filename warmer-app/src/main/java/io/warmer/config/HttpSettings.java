package io.warmer.config;

import java.time.Duration;

/**
 * {@code http}: the monitoring server that {@code run}, {@code warmup} and {@code demo} start: health and readiness
 * probes, Prometheus metrics and the live status page.
 *
 * @param enabled       whether to start it; {@code true} unless set
 * @param port          the TCP port; 0 takes any free one (the address is printed); {@link #DEFAULT_PORT}
 * @param bind          the address to listen on; {@link #DEFAULT_BIND}, every interface
 * @param checkInterval how often readiness, lag and coverage are measured; {@link #DEFAULT_CHECK_INTERVAL}
 * @param ready         what {@code GET /ready} requires: the warm-up gate's targets
 */
public record HttpSettings(Boolean enabled, Integer port, String bind, Duration checkInterval, ReadyTargets ready) {

    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_BIND = "0.0.0.0";
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);

    public static final HttpSettings DEFAULTS = new HttpSettings(null, null, null, null, null);

    public HttpSettings {
        enabled = enabled == null || enabled;
        port = port == null ? DEFAULT_PORT : port;
        if (port < 0 || port > 65_535) {
            throw new InvalidFieldException("port", "found " + port + ", expected a TCP port from 0 (any free one) to 65535");
        }
        bind = bind == null || bind.isBlank() ? DEFAULT_BIND : bind;
        checkInterval = checkInterval == null ? DEFAULT_CHECK_INTERVAL : checkInterval;
        if (checkInterval.toMillis() < 100) {
            throw new InvalidFieldException("check-interval", "found " + Durations.format(checkInterval)
                    + ", expected at least 100ms");
        }
        ready = ready == null ? ReadyTargets.DEFAULTS : ready;
    }

    /** The same settings on another port, e.g. from {@code --http-port}. */
    public HttpSettings withPort(int otherPort) {
        return new HttpSettings(enabled, otherPort, bind, checkInterval, ready);
    }

    /** The same settings, switched off. */
    public HttpSettings disabled() {
        return new HttpSettings(false, port, bind, checkInterval, ready);
    }
}
