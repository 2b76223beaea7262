package io.warmer.monitor;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The last warnings and errors logged in this process, for the status page: an operator watching a warm-up sees
 * what went wrong without reading the log. Messages are the log's own, which never hold secrets.
 */
public final class RecentErrors extends AppenderBase<ILoggingEvent> {

    /** One logged problem. */
    public record Entry(String time, String level, String logger, String message) {
    }

    /** Entries kept, the oldest dropped first. */
    static final int CAPACITY = 20;
    /** Longer messages are cut: a stack of causes is for the log file. */
    static final int MAX_MESSAGE = 500;

    private final Deque<Entry> entries = new ArrayDeque<>();

    /**
     * Starts listening to every logger. Warmer's own loggers do not pass their events to the root logger, so the
     * appender is attached to both.
     */
    public static RecentErrors attach() {
        RecentErrors appender = new RecentErrors();
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            appender.setContext(context);
            appender.setName("recent-errors");
            appender.start();
            context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
            context.getLogger("io.warmer").addAppender(appender);
        }
        return appender;
    }

    /** Stops listening. */
    public void detach() {
        if (getContext() instanceof LoggerContext context) {
            context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(this);
            context.getLogger("io.warmer").detachAppender(this);
        }
        stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!event.getLevel().isGreaterOrEqual(Level.WARN)) {
            return;
        }
        String message = event.getFormattedMessage();
        if (message != null && message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
        Entry entry = new Entry(Instant.ofEpochMilli(event.getTimeStamp()).toString(), event.getLevel().toString(),
                event.getLoggerName(), message);
        synchronized (entries) {
            entries.addLast(entry);
            if (entries.size() > CAPACITY) {
                entries.removeFirst();
            }
        }
    }

    /** The newest first. */
    public List<Entry> newestFirst() {
        synchronized (entries) {
            List<Entry> list = new ArrayList<>(entries);
            java.util.Collections.reverse(list);
            return list;
        }
    }
}
