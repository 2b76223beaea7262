package io.warmer.cli;

import io.warmer.config.HttpSettings;
import picocli.CommandLine.Option;

/** The monitoring server's options of the commands that start a service: run, warmup and demo. */
public final class HttpOption {

    @Option(names = "--http-port", paramLabel = "PORT", description = "Serve /health, /ready, /metrics and the status"
            + " page on this port instead of http.port (default 8080); 0 takes any free port. The address is printed.")
    Integer port;

    @Option(names = "--no-http", description = "Do not start the monitoring server.")
    boolean off;

    public HttpSettings apply(HttpSettings configured) {
        HttpSettings settings = port == null ? configured : configured.withPort(port);
        return off ? settings.disabled() : settings;
    }
}
