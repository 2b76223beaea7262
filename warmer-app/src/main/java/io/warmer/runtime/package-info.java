/**
 * A running Warmer process, composed: the process's Redis, the service and its monitoring, started in dependency
 * order and closed in reverse. Exposes {@link io.warmer.runtime.WarmerRuntime}, what {@code warmer run},
 * {@code warmer warmup} and the demo start.
 */
package io.warmer.runtime;
