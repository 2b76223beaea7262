package io.warmer.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * The encoder {@code logback.xml} gives every appender: it writes in the {@link LogFormat} named by its
 * {@code format} property, which {@code logback.xml} fills from {@code warmer.log.format} or
 * {@code WARMER_LOG_FORMAT}; {@code text} uses the appender's own {@code pattern}. Choosing here rather than with
 * {@code <if>} in the XML spares the Janino dependency that logback's conditions need.
 *
 * <p>An unknown format is reported through logback's status messages (printed at start-up) and logs as text: a
 * typo in a variable should not cost the log.
 */
public final class SelectedEncoder extends EncoderBase<ILoggingEvent> {

    /** The text pattern of an appender that declares none: the log file's. */
    public static final String DEFAULT_PATTERN = "%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n";

    private String format;
    private String pattern;
    private Encoder<ILoggingEvent> delegate;

    /** @param format a {@link LogFormat} wire name; empty or unset means {@link LogFormat#DEFAULT} */
    public void setFormat(String format) {
        this.format = format;
    }

    /** @param pattern the {@code PatternLayout} pattern of the {@code text} format; {@link #DEFAULT_PATTERN} if unset */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    /** The format in use once started. */
    public LogFormat format() {
        return delegate instanceof KeyValueEncoder ? LogFormat.KV
                : delegate instanceof JsonLinesEncoder ? LogFormat.JSON : LogFormat.TEXT;
    }

    @Override
    public void start() {
        LogFormat selected;
        try {
            selected = LogFormat.fromWireName(format);
        } catch (IllegalArgumentException e) {
            addError(e.getMessage() + "; logging as " + LogFormat.TEXT.wireName());
            selected = LogFormat.TEXT;
        }
        delegate = switch (selected) {
            case TEXT -> text();
            case KV -> new KeyValueEncoder();
            case JSON -> new JsonLinesEncoder();
        };
        delegate.setContext(getContext());
        delegate.start();
        super.start();
    }

    private Encoder<ILoggingEvent> text() {
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setPattern(pattern == null || pattern.isBlank() ? DEFAULT_PATTERN : pattern);
        text.setCharset(StandardCharsets.UTF_8);
        return text;
    }

    @Override
    public void stop() {
        if (delegate != null) {
            delegate.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return delegate.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return delegate.encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return delegate.footerBytes();
    }
}
