package io.warmer.config;

/**
 * {@code redis.rewarm}: what the service does when Redis loses its data (README, "When Redis loses its data").
 *
 * @param enabled rebuild the fenced families from the compacted change topics by itself; {@link #DEFAULT_ENABLED}
 * @param rate    keys written per second at most while rebuilding, 0 for as fast as Redis takes them;
 *                {@link #DEFAULT_RATE}
 */
public record RewarmSettings(Boolean enabled, Integer rate) {

    public static final boolean DEFAULT_ENABLED = true;
    public static final int DEFAULT_RATE = 0;
    public static final RewarmSettings DEFAULTS = new RewarmSettings(null, null);

    public RewarmSettings {
        enabled = enabled == null ? DEFAULT_ENABLED : enabled;
        rate = rate == null ? DEFAULT_RATE : rate;
        if (rate < 0) {
            throw new InvalidFieldException("rate", "found " + rate + ", expected keys per second, 0 for no limit");
        }
    }
}
