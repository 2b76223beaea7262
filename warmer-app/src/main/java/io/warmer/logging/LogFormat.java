package io.warmer.logging;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How log events are written, chosen by {@code WARMER_LOG_FORMAT} (or the system property {@code warmer.log.format},
 * which wins): the same choice for the log file and the console.
 */
public enum LogFormat {
    /** The pattern each appender declares: for a person reading a terminal or the file. */
    TEXT("text"),
    /** One logfmt line per event ({@code time=… level=… msg="…" event=…}): greppable, and parsed by Loki or Vector. */
    KV("kv"),
    /** One JSON object per line, the event's key-value pairs as top-level fields: for log collectors. */
    JSON("json");

    /** What an unset or empty variable means. */
    public static final LogFormat DEFAULT = TEXT;

    private final String wireName;

    LogFormat(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * @param text the variable's value; null or blank means {@link #DEFAULT}; case does not matter
     * @throws IllegalArgumentException naming the value found and the accepted ones
     */
    public static LogFormat fromWireName(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        for (LogFormat format : values()) {
            if (format.wireName.equalsIgnoreCase(text.strip())) {
                return format;
            }
        }
        throw new IllegalArgumentException("WARMER_LOG_FORMAT: found '" + text + "', expected one of: "
                + Arrays.stream(values()).map(LogFormat::wireName).collect(Collectors.joining(", ")));
    }
}
