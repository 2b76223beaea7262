/**
 * Where a deployment stands, readable from another process: consumer progress per family, the counters each
 * process publishes to Redis, dead letters, and {@code warmer status}'s probe ({@link io.warmer.status.StatusProbe}).
 */
package io.warmer.status;
