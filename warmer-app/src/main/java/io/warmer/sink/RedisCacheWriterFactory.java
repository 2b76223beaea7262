package io.warmer.sink;

import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;

/** Writers over the process's {@link Redis}: one pipelined connection per sink store. */
public final class RedisCacheWriterFactory implements CacheWriterFactory {

    private final Redis redis;
    private final SinkCounters counters;

    private RedisCacheWriterFactory(Redis redis, SinkCounters counters) {
        this.redis = redis;
        this.counters = counters;
    }

    /**
     * Checks once that Redis answers and is of the configured mode, so that a wrong address fails at start-up with
     * one line.
     *
     * @throws io.warmer.redis.RedisUnavailableException naming host:port (or a cluster's seed nodes) and what to check
     */
    public static RedisCacheWriterFactory connect(Redis redis, SinkCounters counters) {
        redis.check();
        return new RedisCacheWriterFactory(redis, counters);
    }

    @Override
    public CacheWriter open(String storeName) {
        RedisConnection<String, String> connection = redis.connect(io.lettuce.core.codec.StringCodec.UTF8,
                redis.settings().writeTimeout());
        return new RedisCacheWriter(connection, redis.settings().pipeline(), redis.settings().writeTimeout(), counters);
    }

    @Override
    public SinkCounters counters() {
        return counters;
    }
}
