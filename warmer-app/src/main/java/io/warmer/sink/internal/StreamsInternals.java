package io.warmer.sink.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams internals {@link CacheSinkStore} relies on, checked when the first sink store is built: the
 * {@link CachedStateStore#flushCache()} hook must exist, and a kafka-streams other than the one it was verified
 * against is named in the log, since an upgrade may move the hook to after the commit.
 */
public final class StreamsInternals {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsInternals.class);

    /**
     * The kafka-streams whose commit order {@code WarmPathIT#shouldLoseNothingWhenRedisStallsLongerThanTheWriteTimeout}
     * verified: {@code flushCache()} of caching stores runs before a task's offsets are committed.
     */
    public static final String VERIFIED_VERSION = "4.3.1";

    private static volatile boolean checked;

    private StreamsInternals() {
    }

    /** @throws IllegalStateException when the hook is gone: writes could then be committed before Redis has them */
    public static void check() {
        if (checked) {
            return;
        }
        try {
            CachedStateStore.class.getMethod("flushCache");
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("kafka-streams " + version() + " has no CachedStateStore.flushCache(),"
                    + " the hook Warmer flushes Redis in before offsets are committed; run Warmer with kafka-streams "
                    + VERIFIED_VERSION + ".", e);
        }
        String running = version();
        if (!VERIFIED_VERSION.equals(running)) {
            LOG.warn("kafka-streams {} is on the classpath; Warmer's cache sink was verified against {} (the flush"
                    + " before each commit). Run WarmPathIT against this version before relying on it.",
                    running, VERIFIED_VERSION);
        }
        checked = true;
    }

    /** The kafka-streams version on the classpath, from the jar's own version file. */
    public static String version() {
        try (InputStream in = CachedStateStore.class.getResourceAsStream("/kafka/kafka-streams-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
