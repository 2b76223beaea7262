package io.warmer.expression;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** A time as the capture writes it into a row: ISO text with a zone or offset, without one (UTC), or a date. */
public final class Timestamps {

    private static final Pattern WITH_OFFSET = Pattern.compile(".*[+-]\\d\\d:\\d\\d$");

    private Timestamps() {
    }

    /** @throws DateTimeParseException when the text is none of those */
    public static Instant parse(String text) {
        if (text.endsWith("Z") || WITH_OFFSET.matcher(text).matches()) {
            return Instant.parse(text);
        }
        if (text.length() == 10) {
            return LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
    }
}
