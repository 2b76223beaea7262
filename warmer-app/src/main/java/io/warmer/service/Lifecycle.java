package io.warmer.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's {@link ServiceState}, moved only along {@link ServiceState#next()}; every move is logged once as a
 * {@code service_state} event. Thread-safe: the service's own threads and its readers share it.
 */
final class Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    /** What the running state is made of, as the parts report it now. */
    record Parts(boolean capturing, boolean standingBy, boolean snapshotting, boolean materializerRunning,
                 boolean writingPaused, boolean familyBroken) {
    }

    private final String application;
    private final boolean news;
    private ServiceState state = ServiceState.STARTING;
    private String reason = "starting";

    /**
     * @param application the service's Kafka Streams application id, for the log
     * @param news        whether moves are logged at INFO (and WARN); else at DEBUG, for a replay's own service
     */
    Lifecycle(String application, boolean news) {
        this.application = application;
        this.news = news;
    }

    synchronized ServiceState state() {
        return state;
    }

    /** Why the service is in its state, in words: what the last move said. */
    synchronized String reason() {
        return reason;
    }

    /**
     * Moves to {@code next}, logging it; staying put does nothing.
     *
     * @return whether the move was allowed: a stopped service stays stopped, a failed one may only stop
     */
    synchronized boolean moveTo(ServiceState next, String why) {
        if (next == state) {
            return true;
        }
        if (!state.next().contains(next)) {
            LOG.debug("Service state {} cannot move to {} ({})", state.wireName(), next.wireName(), why);
            return false;
        }
        ServiceState previous = state;
        state = next;
        reason = why;
        var event = !news ? LOG.atDebug()
                : next == ServiceState.FAILED || next == ServiceState.DEGRADED ? LOG.atWarn() : LOG.atInfo();
        event.addKeyValue("event", "service_state").addKeyValue("from", previous.wireName())
                .addKeyValue("to", next.wireName()).addKeyValue("application", application)
                .log("Warmer is {} (was {}): {}", next.wireName(), previous.wireName(), why);
        return true;
    }

    /** Follows the parts while running; does nothing once the service stops or failed. */
    synchronized void observe(Parts parts) {
        if (!state.running() && state != ServiceState.STARTING) {
            return;
        }
        if (parts.writingPaused()) {
            moveTo(ServiceState.DEGRADED, "writing is paused: Redis is evicting");
        } else if (!parts.materializerRunning()) {
            moveTo(ServiceState.DEGRADED, "a materializer application is not running");
        } else if (parts.familyBroken()) {
            moveTo(ServiceState.DEGRADED, "a family's configuration does not match its table");
        } else if (parts.standingBy()) {
            moveTo(ServiceState.STANDBY, "another process holds the replication slot");
        } else if (parts.capturing() && parts.snapshotting()) {
            moveTo(ServiceState.SNAPSHOTTING, "reading the snapshot of a table");
        } else {
            moveTo(ServiceState.STREAMING, "changes stream");
        }
    }
}
