package io.warmer.cli;

import java.util.concurrent.TimeUnit;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code --rate} in keys per second ({@code 5000/s}), for the commands that walk a production keyspace,
 * and the pacing that holds them to it so that their commands do not stall the application's reads.
 */
record KeyRate(int perSecond) {

    /** A rate a production Redis absorbs beside its own traffic. */
    static final String DEFAULT = "5000/s";

    /** @throws TypeConversionException with the value found and the form expected: picocli names the option, exit 2 */
    static KeyRate parse(String text) {
        String trimmed = text.trim();
        String number = trimmed.endsWith("/s") ? trimmed.substring(0, trimmed.length() - 2) : trimmed;
        try {
            int value = Integer.parseInt(number);
            if (value > 0) {
                return new KeyRate(value);
            }
        } catch (NumberFormatException e) {
            // reported below, with the value as given
        }
        throw new TypeConversionException("found '" + text + "', expected keys per second such as " + DEFAULT);
    }

    /** Sleeps until {@code done} keys, counted since {@code startedNanos}, fit in the time elapsed at this rate. */
    void throttle(long done, long startedNanos) throws InterruptedException {
        long due = startedNanos + TimeUnit.SECONDS.toNanos(1) * done / perSecond;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
