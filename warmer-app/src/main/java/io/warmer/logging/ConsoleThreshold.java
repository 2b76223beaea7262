package io.warmer.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Locale;

/**
 * Which of Warmer's own events reach the console, from {@code WARMER_LOG_CONSOLE}: {@code warn} (the default:
 * warnings and errors, as a terminal user wants) or {@code info} (also the family stage changes and other milestones:
 * what a container's log, read with {@code docker logs}, needs). Libraries' events stay in the log file whatever it
 * says, apart from their errors.
 *
 * <p>Logback's {@code ThresholdFilter} would take any word and read a misspelt one as DEBUG; this one accepts the two
 * values and reports anything else through logback's status messages, keeping {@code warn}.
 */
public final class ConsoleThreshold extends Filter<ILoggingEvent> {

    /** What an unset or empty variable means. */
    public static final Level DEFAULT = Level.WARN;

    private String level;
    private Level threshold = DEFAULT;

    /** @param level {@code warn} or {@code info}, in any case; empty means {@link #DEFAULT} */
    public void setLevel(String level) {
        this.level = level;
    }

    @Override
    public void start() {
        try {
            threshold = parse(level);
        } catch (IllegalArgumentException e) {
            addError(e.getMessage() + "; using " + DEFAULT.levelStr.toLowerCase(Locale.ROOT));
            threshold = DEFAULT;
        }
        super.start();
    }

    /** @throws IllegalArgumentException naming the value found and the accepted ones */
    static Level parse(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "warn" -> Level.WARN;
            case "info" -> Level.INFO;
            default -> throw new IllegalArgumentException("WARMER_LOG_CONSOLE: found '" + text
                    + "', expected one of: warn, info");
        };
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return event.getLevel().isGreaterOrEqual(threshold) ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
