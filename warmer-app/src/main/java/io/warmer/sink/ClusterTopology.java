package io.warmer.sink;

import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import java.time.Duration;

/**
 * How every Redis Cluster client of Warmer follows the cluster's topology: on MOVED/ASK redirects and failed
 * reconnects (adaptive, at most every {@link #ADAPTIVE_AT_MOST_EVERY}), and every {@link #PERIOD} regardless.
 */
public final class ClusterTopology {

    /** A failover takes a few seconds to settle: look again soon rather than after Lettuce's default 30 s. */
    static final Duration ADAPTIVE_AT_MOST_EVERY = Duration.ofSeconds(5);
    static final Duration PERIOD = Duration.ofSeconds(30);

    private ClusterTopology() {
    }

    public static ClusterTopologyRefreshOptions refresh() {
        return ClusterTopologyRefreshOptions.builder()
                .enableAllAdaptiveRefreshTriggers()
                .adaptiveRefreshTriggersTimeout(ADAPTIVE_AT_MOST_EVERY)
                .enablePeriodicRefresh(PERIOD)
                .build();
    }
}
