package io.warmer.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.time.Instant;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/** Logging events built by hand for the encoder tests, at a pinned time, outside the test's own logging. */
final class LogEvents {

    static final Instant TIME = Instant.parse("2026-11-26T20:00:00.123456Z");

    private static final LoggerContext CONTEXT = new LoggerContext();

    static {
        CONTEXT.setMDCAdapter(new LogbackMDCAdapter());
    }

    private LogEvents() {
    }

    static LoggingEvent event(Level level, String message, Throwable thrown, Object... arguments) {
        LoggingEvent event = new LoggingEvent(LogEvents.class.getName(),
                CONTEXT.getLogger("io.warmer.monitor.PipelineMonitor"), level, message, thrown, arguments);
        event.setInstant(TIME);
        event.setThreadName("warmer-monitor-check");
        return event;
    }

    static LoggingEvent withPairs(LoggingEvent event, Map<String, ?> pairs) {
        pairs.forEach((key, value) -> event.addKeyValuePair(new KeyValuePair(key, value)));
        return event;
    }

    static LoggingEvent familyStage() {
        LoggingEvent event = event(Level.INFO, "Family {} is now {} (was {})", null, "by-id", "ready", "streaming");
        event.addKeyValuePair(new KeyValuePair("event", "family_stage"));
        event.addKeyValuePair(new KeyValuePair("family", "by-id"));
        event.addKeyValuePair(new KeyValuePair("from", "streaming"));
        event.addKeyValuePair(new KeyValuePair("to", "ready"));
        event.addKeyValuePair(new KeyValuePair("lag", 0L));
        event.addKeyValuePair(new KeyValuePair("coverage", 1.0));
        return event;
    }
}
