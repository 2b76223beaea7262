package io.warmer.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * {@code redis.eviction-guard}: what the materializer does when Redis starts evicting keys (its {@code evicted_keys}
 * rises) while Warmer writes, which means warming is pushing out keys that applications may still read.
 */
public enum EvictionGuardMode {
    /**
     * Pause writing until Redis has stopped evicting and its used memory is back under the resume margin; log a
     * warning when pausing and a line when resuming. Nothing is lost: offsets are committed only for acknowledged
     * writes, and the rest waits in Kafka.
     */
    PAUSE("pause"),
    /** Only log a warning when Redis starts evicting (and a line when it stops); keep writing. */
    WARN("warn"),
    /** Do not watch Redis at all. */
    OFF("off");

    private final String wireName;

    EvictionGuardMode(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** @throws IllegalArgumentException naming the accepted values; the loader adds the field's path */
    @JsonCreator
    public static EvictionGuardMode fromWireName(String text) {
        for (EvictionGuardMode mode : values()) {
            if (mode.wireName.equals(text)) {
                return mode;
            }
        }
        if ("false".equals(text)) {
            return OFF; // YAML 1.1 reads an unquoted off (or no) as the boolean false
        }
        throw new IllegalArgumentException("found '" + text + "'" + ("true".equals(text) ? " (YAML reads on and yes as"
                + " true)" : "") + ", expected one of: "
                + Arrays.stream(values()).map(EvictionGuardMode::wireName).collect(Collectors.joining(", ")));
    }
}
