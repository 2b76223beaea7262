/** Terminal output of the commands: a progress line that rewrites itself on a terminal ({@link io.warmer.console.ProgressLine}). */
package io.warmer.console;
