package io.warmer.change;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * Where a change stands in the source's commit order, as text that compares, character by character, exactly
 * like that order: a sequence of non-negative numbers, each written with {@link #DIGITS} digits, joined by
 * {@code .}. Fencing compares these texts in Redis (Lua compares strings, not 64-bit numbers); the design notes
 * (docs/design.md, "Versions") argue why the order they give is the commit order.
 *
 * <ul>
 *   <li>A streamed change: {@code position.lsn}, where {@code position} is the end of the last transaction (or
 *       logical decoding message) the stream delivered before the change's transaction, and {@code lsn} the
 *       change's own WAL position. PostgreSQL delivers transactions in commit order, so positions grow from one
 *       transaction to the next, and lsns grow within one.</li>
 *   <li>A row read by a snapshot chunk: {@code marker.0}, where {@code marker} is the WAL position of the logical
 *       decoding message the chunk is placed at in the stream: above every change delivered before it, below every
 *       change delivered after.</li>
 *   <li>A value assembled from joined rows appends a count of the joined changes applied
 *       ({@link #then(long)}).</li>
 *   <li>A version written before this scheme (one number, the change's LSN) is read as one component; it
 *       compares below any newer change of the same row (see docs/design.md, "Upgrading").</li>
 * </ul>
 */
public final class Version implements Comparable<Version> {

    /** Digits of each component: enough for any unsigned 64-bit LSN below 10^20. */
    public static final int DIGITS = 20;
    private static final char SEPARATOR = '.';

    /** Below every real version: what a key without a version is taken to hold. */
    public static final Version ZERO = new Version(pad(0));

    private final String text;

    private Version(String text) {
        this.text = text;
    }

    /** A streamed change, or a snapshot row ({@code lsn} 0): see the class comment. */
    public static Version of(long position, long lsn) {
        return new Version(pad(position) + SEPARATOR + pad(lsn));
    }

    /** A row read by a snapshot chunk placed in the stream at {@code markerLsn}. */
    public static Version snapshot(long markerLsn) {
        return of(markerLsn, 0);
    }

    /** A version of the scheme before commit-ordered versions: one number, the change's LSN (0 for snapshot rows). */
    public static Version legacy(long lsn) {
        return new Version(pad(lsn));
    }

    /** This version with one more component, e.g. the count of joined changes applied to a main row. */
    public Version then(long component) {
        return new Version(text + SEPARATOR + pad(component));
    }

    /**
     * @throws IllegalArgumentException unless {@code text} is components of {@link #DIGITS} digits joined by '.'
     */
    public static Version parse(String text) {
        Objects.requireNonNull(text, "text");
        int length = text.length();
        if (length < DIGITS || (length + 1) % (DIGITS + 1) != 0) {
            throw new IllegalArgumentException("not a version: '" + text + "' (expected groups of " + DIGITS
                    + " digits joined by '.')");
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            boolean separatorPlace = (i + 1) % (DIGITS + 1) == 0;
            if (separatorPlace ? c != SEPARATOR : c < '0' || c > '9') {
                throw new IllegalArgumentException("not a version: '" + text + "' (expected groups of " + DIGITS
                        + " digits joined by '.')");
            }
        }
        return new Version(text);
    }

    /**
     * A version as a change record carries it: text, or a number from a topic written before this scheme.
     *
     * @throws IllegalArgumentException when it is neither
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Version fromJson(JsonNode node) {
        if (node != null && node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
            return legacy(node.longValue());
        }
        if (node != null && node.isTextual()) {
            return parse(node.textValue());
        }
        throw new IllegalArgumentException("not a version: " + node);
    }

    /** The first component: the stream position of a change, or the marker of a snapshot row. */
    public long position() {
        return Long.parseUnsignedLong(text, 0, DIGITS, 10);
    }

    /** The second component: a change's own LSN, 0 for a snapshot row; 0 for a version of the former scheme. */
    public long lsn() {
        return text.length() < 2 * DIGITS + 1 ? 0 : Long.parseUnsignedLong(text, DIGITS + 1, 2 * DIGITS + 1, 10);
    }

    /** What fencing stores in a version key and compares; what a change record carries. */
    @JsonValue
    public String text() {
        return text;
    }

    public boolean isNewerThan(Version other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Version other) {
        return text.compareTo(other.text);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && v.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    /** By hand: String.format was a visible share of the materializer's CPU. */
    private static String pad(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("a version component cannot be negative: " + value);
        }
        String digits = Long.toString(value);
        return "0".repeat(DIGITS - digits.length()) + digits;
    }
}
