/**
 * Key families: how a row maps to its cache entries, as pure functions of the configuration.
 * {@link io.warmer.family.KeyFamily#map} turns a row change into {@link io.warmer.family.CacheWrite}s (keys from
 * {@link io.warmer.family.KeyTemplate}s, values from {@link io.warmer.family.ValueShape}, TTLs from
 * {@link io.warmer.family.Expiry}); no I/O.
 */
package io.warmer.family;
