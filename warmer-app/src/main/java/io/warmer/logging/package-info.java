/**
 * Log output: the console threshold and the structured encoders ({@code WARMER_LOG_FORMAT=json} or {@code kv}),
 * wired by {@code logback.xml}; event fields are named in {@link io.warmer.logging.EventFields}.
 */
package io.warmer.logging;
