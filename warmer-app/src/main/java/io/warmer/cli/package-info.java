/**
 * The {@code warmer} command line (picocli): one class per command, each a {@code Callable<Integer>} returning its
 * exit code ({@link io.warmer.cli.ExitCodes}); failures become one line in {@code FailureReporter}. The entry point is
 * {@link io.warmer.cli.WarmerCli}; nothing else is public.
 */
package io.warmer.cli;
