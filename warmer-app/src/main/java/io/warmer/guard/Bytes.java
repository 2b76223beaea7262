package io.warmer.guard;

import java.util.Locale;

/** Byte counts for people, in the binary units Redis uses ({@code maxmemory 8mb} is 8 MiB). */
final class Bytes {

    static final long MIB = 1024 * 1024;

    private Bytes() {
    }

    /** E.g. "512 B", "3.4 KiB", "7.9 MiB", "2.0 GiB". */
    static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** Whole MiB, rounded up, as {@code CONFIG SET maxmemory} takes them: "31mb". */
    static String configMegabytes(long bytes) {
        return ((bytes + MIB - 1) / MIB) + "mb";
    }
}
