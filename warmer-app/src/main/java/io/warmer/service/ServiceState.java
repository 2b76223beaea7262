package io.warmer.service;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a {@link WarmerService} is in its life. {@link #STARTING} and the last two are set by the service itself;
 * the running states in between follow what its parts report (see {@link Lifecycle#observe}).
 */
public enum ServiceState {
    /** Connecting, checking the database and Redis, starting the capture and the materializer. */
    STARTING("starting"),
    /** This process captures and a table's snapshot is still being read. */
    SNAPSHOTTING("snapshotting"),
    /** Changes stream: every snapshot is done (or this process only materializes) and everything runs. */
    STREAMING("streaming"),
    /** Another process holds the replication slot; this one materializes, if its role does, and takes over later. */
    STANDBY("standby"),
    /**
     * Running but not doing all of its job: writing is paused by the eviction guard, a materializer application is
     * not running, or a family's configuration no longer matches its table.
     */
    DEGRADED("degraded"),
    /** Stop requested: the capture stores its offsets, the materializer flushes Redis and commits. */
    STOPPING("stopping"),
    /** Stopped cleanly. */
    STOPPED("stopped"),
    /** The capture or the materializer stopped on an error; the process should exit and be restarted. */
    FAILED("failed");

    private static final Set<ServiceState> RUNNING = EnumSet.of(SNAPSHOTTING, STREAMING, STANDBY, DEGRADED);

    private final String wireName;

    ServiceState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether the service runs: it started and neither stops nor failed. */
    public boolean running() {
        return RUNNING.contains(this);
    }

    /** The states this one may move to. */
    Set<ServiceState> next() {
        return switch (this) {
            case STARTING -> EnumSet.of(SNAPSHOTTING, STREAMING, STANDBY, DEGRADED, FAILED, STOPPING);
            case SNAPSHOTTING, STREAMING, STANDBY, DEGRADED -> {
                Set<ServiceState> next = EnumSet.copyOf(RUNNING);
                next.remove(this);
                next.addAll(EnumSet.of(FAILED, STOPPING));
                yield next;
            }
            case FAILED -> EnumSet.of(STOPPING);
            case STOPPING -> EnumSet.of(STOPPED);
            case STOPPED -> EnumSet.noneOf(ServiceState.class);
        };
    }
}
