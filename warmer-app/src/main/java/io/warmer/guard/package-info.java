/**
 * Redis memory: the eviction guard that pauses writing while Redis evicts ({@link io.warmer.guard.EvictionGuard}),
 * and the estimate of what a warm-up will need before it starts ({@link io.warmer.guard.MemoryEstimate}).
 */
package io.warmer.guard;
