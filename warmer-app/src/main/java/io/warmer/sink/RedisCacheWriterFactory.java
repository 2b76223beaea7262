package io.warmer.sink;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.codec.StringCodec;
import io.warmer.config.RedisSettings;
import java.time.Duration;

/** One Redis client for the process; one pipelined connection per sink store. */
public final class RedisCacheWriterFactory implements CacheWriterFactory, AutoCloseable {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final RedisClient client;
    private final RedisSettings settings;
    private final SinkCounters counters;

    private RedisCacheWriterFactory(RedisClient client, RedisSettings settings, SinkCounters counters) {
        this.client = client;
        this.settings = settings;
        this.counters = counters;
    }

    /**
     * Connects once to check that Redis answers, so that a wrong address fails at start-up with one line.
     *
     * @throws CacheWriteException naming host:port when Redis cannot be reached
     */
    public static RedisCacheWriterFactory connect(RedisSettings settings, SinkCounters counters) {
        var uri = settings.redisUri();
        uri.setTimeout(CONNECT_TIMEOUT);
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder().autoReconnect(true).build());
        try (var connection = client.connect(StringCodec.UTF8)) {
            connection.sync().ping();
        } catch (RedisConnectionException e) {
            client.shutdown();
            throw new CacheWriteException("Cannot reach Redis at " + settings.address() + ": "
                    + rootMessage(e) + "; check that Redis is running and that redis.uri is right.", e);
        } catch (RuntimeException e) {
            client.shutdown();
            throw new CacheWriteException("Redis at " + settings.address() + " refused Warmer: " + rootMessage(e)
                    + "; check the password and ACLs in redis.uri.", e);
        }
        return new RedisCacheWriterFactory(client, settings, counters);
    }

    @Override
    public CacheWriter open(String storeName) {
        return new RedisCacheWriter(client.connect(StringCodec.UTF8), settings.address(), settings.pipeline(),
                settings.writeTimeout(), counters);
    }

    @Override
    public void close() {
        client.shutdown();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
