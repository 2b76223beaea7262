package io.warmer.family;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.zip.CRC32;

/**
 * How long a family's entries live: no expiry, a fixed TTL, or until the instant in a column
 * ({@code expires_at}); optionally spread by ±{@code jitter} so that a keyspace warmed in one burst
 * does not expire in one burst an hour after the deploy.
 *
 * <p>The jitter of a key is derived from the key itself, so every write of a key gets the same
 * offset and a replay computes the same TTL as the live pipeline.
 */
public record Expiry(Duration fixed, String column, double jitter) {

    public static final Expiry NONE = new Expiry(null, null, 0);

    public Expiry {
        if (fixed != null && column != null) {
            throw new IllegalArgumentException("a TTL is either fixed or taken from a column, not both");
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be at least 0 and below 1 (100%), found " + jitter);
        }
    }

    public boolean expires() {
        return fixed != null || column != null;
    }

    /**
     * @return the TTL of {@code key} for this row, or null for no expiry; zero or negative when the
     *         row's expiry instant has passed (the entry should not exist)
     * @throws UnrenderableRowException when the TTL column holds no instant
     */
    public Duration ttlFor(String key, JsonNode row, long nowMs) {
        Duration base;
        if (fixed != null) {
            base = fixed;
        } else if (column != null) {
            base = Duration.ofMillis(expiryInstant(row).toEpochMilli() - nowMs);
        } else {
            return null;
        }
        if (jitter == 0 || base.isNegative() || base.isZero()) {
            return base;
        }
        double offset = (2 * unitFraction(key) - 1) * jitter; // in [-jitter, +jitter)
        return Duration.ofMillis(Math.max(1, Math.round(base.toMillis() * (1 + offset))));
    }

    private Instant expiryInstant(JsonNode row) {
        JsonNode value = row == null ? null : row.get(column);
        if (value == null || value.isNull()) {
            throw new UnrenderableRowException("TTL column '" + column + "' is " + (value == null ? "absent" : "NULL")
                    + "; expected a timestamp or a number of seconds");
        }
        if (value.isNumber()) {
            return Instant.ofEpochSecond(value.longValue());
        }
        String text = value.asText();
        try {
            return text.endsWith("Z") || text.matches(".*[+-]\\d\\d:\\d\\d$") ? Instant.parse(text)
                    : LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new UnrenderableRowException("TTL column '" + column + "' holds '" + text
                    + "'; expected a timestamp (timestamptz or timestamp) or epoch seconds");
        }
    }

    /** A stable number in [0, 1) from the key. */
    private static double unitFraction(String key) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() / (double) (1L << 32);
    }
}
