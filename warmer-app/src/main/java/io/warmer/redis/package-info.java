/**
 * The one way to Redis in a Warmer process. {@link io.warmer.redis.Redis} turns the {@code redis:} settings into
 * connections: the URIs parsed once, one Lettuce {@code ClientResources} (one set of event loops) and one client
 * for the process, standalone or cluster chosen once, timeouts from {@code redis.connect-timeout} and
 * {@code redis.command-timeout}. Everything that talks to Redis (the sink, the eviction guard, the monitor, the
 * warm-up gate, verify, migrate-keys, cleanup, status, the rebuild) asks it for a {@link io.warmer.redis.RedisConnection}.
 *
 * <p>Exposes: {@link io.warmer.redis.Redis}, {@link io.warmer.redis.RedisConnection} (commands of either mode, and
 * the nodes of a cluster), {@link io.warmer.redis.RedisScript} (a Lua script shipped with Warmer, loaded on every
 * node that serves it) and {@link io.warmer.redis.RedisUnavailableException} (Redis cannot be reached or refused
 * Warmer: one line that names it and what to check).
 */
package io.warmer.redis;
