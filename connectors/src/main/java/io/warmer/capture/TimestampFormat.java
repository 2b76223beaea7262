package io.warmer.capture;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How {@code timestamp} and {@code timestamptz} columns are written into cache values. */
public enum TimestampFormat {
    /** ISO-8601 text: {@code "2024-01-01T12:00:00.123Z"} (timestamptz, in UTC), {@code "2024-01-01T12:00:00.123456"} (timestamp). */
    ISO_8601("iso-8601"),
    /** Milliseconds since the epoch as a number (a {@code timestamp} without zone is taken as UTC). */
    EPOCH_MILLIS("epoch-millis");

    private final String wireName;

    TimestampFormat(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static TimestampFormat fromWireName(String text) {
        for (TimestampFormat format : values()) {
            if (format.wireName.equals(text)) {
                return format;
            }
        }
        throw new IllegalArgumentException("found '" + text + "', expected one of: "
                + Arrays.stream(values()).map(TimestampFormat::wireName).collect(Collectors.joining(", ")));
    }
}
