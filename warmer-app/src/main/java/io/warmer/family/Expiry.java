package io.warmer.family;

import com.fasterxml.jackson.databind.JsonNode;
import io.warmer.expression.ExpressionException;
import io.warmer.expression.RowExpression;
import io.warmer.expression.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.zip.CRC32;

/**
 * How long a family's entries live: no expiry, a fixed TTL, until the instant in a column
 * ({@code expires_at}), or what an expression over the row says (a duration, seconds or an instant; NULL for none);
 * optionally spread by ±{@code jitter} so that a keyspace warmed in one burst
 * does not expire in one burst an hour after the deploy.
 *
 * <p>The jitter of a key is derived from the key itself, so every write of a key gets the same
 * offset and a replay computes the same TTL as the live pipeline.
 */
public record Expiry(Duration fixed, String column, double jitter, RowExpression expression) {

    public static final Expiry NONE = new Expiry(null, null, 0);

    public Expiry {
        if ((fixed != null ? 1 : 0) + (column != null ? 1 : 0) + (expression != null ? 1 : 0) > 1) {
            throw new IllegalArgumentException("a TTL is fixed, taken from a column or computed, only one of them");
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be at least 0 and below 1 (100%), found " + jitter);
        }
    }

    public Expiry(Duration fixed, String column, double jitter) {
        this(fixed, column, jitter, null);
    }

    public boolean expires() {
        return fixed != null || column != null || expression != null;
    }

    /** The columns the TTL is computed from. */
    public java.util.Set<String> columns() {
        return column != null ? java.util.Set.of(column) : expression != null ? expression.columns() : java.util.Set.of();
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
        } else if (expression != null) {
            try {
                base = expression.ttl(row, nowMs);
            } catch (ExpressionException e) {
                throw new UnrenderableRowException("ttl: " + e.getMessage());
            }
            if (base == null) {
                return null;
            }
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
            return Timestamps.parse(text);
        } catch (DateTimeParseException e) {
            throw new UnrenderableRowException("TTL column '" + column + "' holds '" + text
                    + "'; expected a timestamp (timestamptz, timestamp or date) or epoch seconds");
        }
    }

    /** A stable number in [0, 1) from the key. */
    private static double unitFraction(String key) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() / (double) (1L << 32);
    }
}
