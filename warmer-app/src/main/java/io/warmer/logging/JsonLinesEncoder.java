package io.warmer.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * One JSON object per line: {@code {"time":"2026-11-26T20:00:00.123Z","level":"INFO","logger":"…","thread":"…",
 * "message":"Family x is now ready (was streaming)","event":"family_stage","family":"x","lag":0,…}}. The event's
 * key-value pairs are top-level fields (numbers and booleans stay JSON numbers and booleans, anything else is its
 * {@code toString()}), so a collector indexes {@code event} or {@code family} with no nesting to configure; an
 * exception adds {@code error} and {@code stack}. Jackson escapes every control character, so an event never spans
 * two lines.
 *
 * <p>Logback's own {@code JsonEncoder} writes epoch milliseconds, the logger context on every line, the message
 * unformatted beside its arguments and the pairs as a list of one-field objects with their values as strings:
 * everything there, but nothing a person or a collector's default parsing reads directly.
 */
public final class JsonLinesEncoder extends EncoderBase<ILoggingEvent> {

    static final String MESSAGE = "message";

    private static final JsonFactory JSON = JsonFactory.builder().build();

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            json.writeStringField(EventFields.TIME, EventFields.time(event));
            json.writeStringField(EventFields.LEVEL, event.getLevel().toString());
            json.writeStringField(EventFields.LOGGER, event.getLoggerName());
            json.writeStringField(EventFields.THREAD, event.getThreadName());
            json.writeStringField(MESSAGE, event.getFormattedMessage());
            for (Map.Entry<String, Object> extra : EventFields.extra(event, MESSAGE).entrySet()) {
                json.writeFieldName(extra.getKey());
                value(json, extra.getValue());
            }
            String error = EventFields.error(event);
            if (error != null) {
                json.writeStringField(EventFields.ERROR, error);
                json.writeStringField(EventFields.STACK, EventFields.stack(event));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write a log event as JSON to memory", e);
        }
        bytes.write('\n');
        return bytes.toByteArray();
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    private static void value(JsonGenerator json, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof Boolean b) {
            json.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            json.writeNumber(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            json.writeNumber(((Number) value).doubleValue()); // NaN and infinities are written as strings
        } else if (value instanceof BigDecimal d) {
            json.writeNumber(d);
        } else if (value instanceof BigInteger i) {
            json.writeNumber(i);
        } else {
            json.writeString(String.valueOf(value));
        }
    }
}
