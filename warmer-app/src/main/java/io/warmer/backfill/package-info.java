/**
 * Families added after the first start, filled from the change topics by an application of their own: the family
 * registry ({@link io.warmer.backfill.FamilyRegistry}), which application materializes which family
 * ({@link io.warmer.backfill.Materializers}) and the pass over the topics' keys a rebuild reads first
 * ({@link io.warmer.backfill.HistoryScan}).
 */
package io.warmer.backfill;
