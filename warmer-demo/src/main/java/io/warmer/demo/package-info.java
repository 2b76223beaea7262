/**
 * {@code warmer demo}: the key-rename incident replayed on embedded servers, with a live workload and a cutover
 * check of hit rate and stale reads. Exposes {@link io.warmer.demo.IncidentDemo} and its options.
 */
package io.warmer.demo;
