package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * {@code redis}: where the cache is.
 *
 * @param uri          e.g. {@code redis://localhost:6379}; a password may be given in the URI
 * @param pipeline     commands sent per network flush; {@link #DEFAULT_PIPELINE}
 * @param writeTimeout how long a batch may wait for Redis before the batch is retried; {@link #DEFAULT_WRITE_TIMEOUT}
 */
public record RedisSettings(String uri, Integer pipeline, Duration writeTimeout) {

    public static final int DEFAULT_PIPELINE = 512;
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);

    public RedisSettings {
        require(uri, "uri", "redis://localhost:6379");
        try {
            RedisURI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("uri", "found '" + masked(uri) + "', expected a Redis URI such as redis://localhost:6379");
        }
        pipeline = pipeline == null ? DEFAULT_PIPELINE : pipeline;
        if (pipeline < 1) {
            throw new InvalidFieldException("pipeline", "found " + pipeline + ", expected at least 1");
        }
        writeTimeout = writeTimeout == null ? DEFAULT_WRITE_TIMEOUT : writeTimeout;
    }

    public RedisURI redisUri() {
        return RedisURI.create(uri);
    }

    /** host:port, for messages: never the password. */
    public String address() {
        RedisURI parsed = redisUri();
        return parsed.getHost() + ":" + parsed.getPort();
    }

    @Override
    public String toString() {
        return "RedisSettings[uri=" + masked(uri) + ", pipeline=" + pipeline + ", writeTimeout=" + writeTimeout + "]";
    }

    static String masked(String uri) {
        return uri.replaceAll("//[^@/]*@", "//****@");
    }
}
