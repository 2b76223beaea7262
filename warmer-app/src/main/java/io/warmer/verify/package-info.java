/**
 * Comparing Redis with the database, value by value: {@link io.warmer.verify.CacheVerifier} (what {@code warmer verify}
 * and readiness run), {@link io.warmer.verify.ExpectedEntries} (what each row should have written) and the projected
 * hit rate of recorded reads ({@link io.warmer.verify.ProjectedHitRate}).
 */
package io.warmer.verify;
