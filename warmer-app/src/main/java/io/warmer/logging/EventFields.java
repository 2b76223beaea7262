package io.warmer.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.event.KeyValuePair;

/**
 * What the structured formats ({@link KeyValueEncoder}, {@link JsonLinesEncoder}) take from an event, so that both
 * carry the same facts under the same names: {@code time} (UTC, milliseconds), {@code level}, {@code logger},
 * {@code thread}, the message, then the event's key-value pairs (SLF4J's {@code addKeyValue}) and MDC entries as
 * fields of their own, then {@code error} and {@code stack} when it carries an exception.
 */
final class EventFields {

    static final String TIME = "time";
    static final String LEVEL = "level";
    static final String LOGGER = "logger";
    static final String THREAD = "thread";
    static final String ERROR = "error";
    static final String STACK = "stack";
    /** Put before a key-value pair's key that a standard field already uses, so that neither hides the other. */
    static final String CLASH_PREFIX = "kv_";

    /** Fixed width, so that lines sort and align: {@code 2026-11-26T20:00:00.123Z}. */
    private static final DateTimeFormatter TIME_FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    private static final Pattern UNSAFE_IN_KEY = Pattern.compile("[^A-Za-z0-9_.-]");

    private EventFields() {
    }

    static String time(ILoggingEvent event) {
        return TIME_FORMAT.format(event.getInstant());
    }

    /**
     * The event's key-value pairs, then its MDC entries (a pair wins over an MDC entry of the same key), keys made
     * safe for logfmt (anything but letters, digits, {@code _ . -} becomes {@code _}).
     *
     * @param messageField the name the format gives the message, which a key must not take either
     */
    static Map<String, Object> extra(ILoggingEvent event, String messageField) {
        Set<String> taken = Set.of(TIME, LEVEL, LOGGER, THREAD, messageField, ERROR, STACK);
        Map<String, Object> fields = new LinkedHashMap<>();
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair pair : event.getKeyValuePairs()) {
                fields.put(key(pair.key, taken), pair.value);
            }
        }
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null) {
            mdc.forEach((name, value) -> fields.putIfAbsent(key(name, taken), value));
        }
        return fields;
    }

    /** {@code java.lang.IllegalStateException: what went wrong}, or null without an exception. */
    static String error(ILoggingEvent event) {
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown == null) {
            return null;
        }
        return thrown.getMessage() == null ? thrown.getClassName() : thrown.getClassName() + ": " + thrown.getMessage();
    }

    /** The stack of the exception and its causes, as logback prints it, or null without an exception. */
    static String stack(ILoggingEvent event) {
        IThrowableProxy thrown = event.getThrowableProxy();
        return thrown == null ? null : ThrowableProxyUtil.asString(thrown).stripTrailing();
    }

    private static String key(String name, Set<String> taken) {
        String key = name == null || name.isEmpty() ? "_" : UNSAFE_IN_KEY.matcher(name).replaceAll("_");
        return taken.contains(key) ? CLASH_PREFIX + key : key;
    }
}
