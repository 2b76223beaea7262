package io.warmer.demo;

import io.warmer.config.HttpSettings;
import java.time.Duration;

/**
 * @param users       users in the database (each has three rows, so three keys per format)
 * @param sample      users read back at the cutover
 * @param liveFor     how long changes keep streaming after the snapshot before the cutover
 * @param minHitRate  the hit rate below which the demo fails
 * @param http        the monitoring server the demo's service starts
 * @param serve       keep the service, its status page and the application's writes going after the cutover
 *                    summary, until interrupted
 */
public record DemoOptions(int users, int sample, Duration liveFor, double minHitRate, HttpSettings http, boolean serve) {

    public DemoOptions(int users, int sample, Duration liveFor, double minHitRate) {
        this(users, sample, liveFor, minHitRate, HttpSettings.DEFAULTS, false);
    }

    public static final int DEFAULT_USERS = 100_000;
    public static final int DEFAULT_SAMPLE = 10_000;
    public static final Duration DEFAULT_LIVE_FOR = Duration.ofSeconds(3);
    public static final double DEFAULT_MIN_HIT_RATE = 0.999;

    public DemoOptions {
        if (users < 1 || sample < 1) {
            throw new IllegalArgumentException("--users and --sample must be at least 1");
        }
        if (serve && !http.enabled()) {
            throw new IllegalArgumentException("--serve keeps the status page running: it cannot go with --no-http");
        }
    }
}
