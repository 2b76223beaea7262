package io.warmer.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One logfmt line per event:
 * {@code time=2026-11-26T20:00:00.123Z level=INFO logger=… thread=… msg="Family x is now ready (was streaming)"
 * event=family_stage family=x from=streaming to=ready}, then {@code error="…" stack="…"} for an exception. The message
 * is always quoted; other values only when they are empty or hold a space, a quote, {@code =}, a backslash or a
 * control character. Inside quotes, a quote and a backslash get a backslash before them, and line breaks, tabs and
 * other control characters are written as {@code \n}, {@code \r}, {@code \t} or a backslash-u escape, so that a
 * multi-line message or stack stays on its line: one event, one line, whatever reads it.
 */
public final class KeyValueEncoder extends EncoderBase<ILoggingEvent> {

    static final String MESSAGE = "msg";

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(256);
        line.append(EventFields.TIME).append('=').append(EventFields.time(event));
        field(line, EventFields.LEVEL, event.getLevel().toString());
        field(line, EventFields.LOGGER, event.getLoggerName());
        field(line, EventFields.THREAD, event.getThreadName());
        line.append(' ').append(MESSAGE).append('=');
        quoted(line, String.valueOf(event.getFormattedMessage()));
        for (Map.Entry<String, Object> extra : EventFields.extra(event, MESSAGE).entrySet()) {
            field(line, extra.getKey(), extra.getValue() == null ? null : String.valueOf(extra.getValue()));
        }
        String error = EventFields.error(event);
        if (error != null) {
            line.append(' ').append(EventFields.ERROR).append('=');
            quoted(line, error);
            line.append(' ').append(EventFields.STACK).append('=');
            quoted(line, EventFields.stack(event));
        }
        return line.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    /** A null value is written {@code null}, unquoted; the string "null" would be quoted. */
    private static void field(StringBuilder line, String key, String value) {
        line.append(' ').append(key).append('=');
        if (value == null) {
            line.append("null");
        } else if (needsQuotes(value)) {
            quoted(line, value);
        } else {
            line.append(value);
        }
    }

    static boolean needsQuotes(String value) {
        if (value.isEmpty() || value.equals("null")) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '"' || c == '=' || c == '\\' || isControl(c)) {
                return true;
            }
        }
        return false;
    }

    /** ASCII controls, and what some readers take for a line break: NEL and the Unicode line separators. */
    private static boolean isControl(char c) {
        return c < ' ' || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029;
    }

    private static void quoted(StringBuilder line, String value) {
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (isControl(c)) {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }
}
