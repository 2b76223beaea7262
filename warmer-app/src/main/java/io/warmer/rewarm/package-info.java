/**
 * When Redis loses its data: noticing it ({@link io.warmer.rewarm.LossWatch}) and rebuilding the fenced families from
 * the compacted change topics, one claimant at a time ({@link io.warmer.rewarm.Rewarm}).
 */
package io.warmer.rewarm;
