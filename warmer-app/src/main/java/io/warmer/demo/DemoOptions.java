package io.warmer.demo;

import java.time.Duration;

/**
 * @param users       users in the database (each has three rows, so three keys per format)
 * @param sample      users read back at the cutover
 * @param liveFor     how long changes keep streaming after the snapshot before the cutover
 * @param minHitRate  the hit rate below which the demo fails
 */
public record DemoOptions(int users, int sample, Duration liveFor, double minHitRate) {

    public static final int DEFAULT_USERS = 100_000;
    public static final int DEFAULT_SAMPLE = 10_000;
    public static final Duration DEFAULT_LIVE_FOR = Duration.ofSeconds(3);
    public static final double DEFAULT_MIN_HIT_RATE = 0.999;

    public DemoOptions {
        if (users < 1 || sample < 1) {
            throw new IllegalArgumentException("--users and --sample must be at least 1");
        }
    }
}
