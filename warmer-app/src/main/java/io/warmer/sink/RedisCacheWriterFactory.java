package io.warmer.sink;

import io.warmer.config.RedisSettings;
import java.time.Duration;

/** One Redis client for the process (standalone or cluster); one pipelined connection per sink store. */
public final class RedisCacheWriterFactory implements CacheWriterFactory, AutoCloseable {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final RedisDeployment redis;
    private final RedisSettings settings;
    private final SinkCounters counters;

    private RedisCacheWriterFactory(RedisDeployment redis, RedisSettings settings, SinkCounters counters) {
        this.redis = redis;
        this.settings = settings;
        this.counters = counters;
    }

    /**
     * Connects once to check that Redis answers, so that a wrong address fails at start-up with one line.
     *
     * @throws CacheWriteException naming host:port (or a cluster's seed nodes) when Redis cannot be reached
     */
    public static RedisCacheWriterFactory connect(RedisSettings settings, SinkCounters counters) {
        return new RedisCacheWriterFactory(RedisDeployment.connect(settings), settings, counters);
    }

    @Override
    public CacheWriter open(String storeName) {
        RedisDeployment.WriterConnection connection = redis.open();
        return new RedisCacheWriter(connection.connection(), connection.commands(), settings.address(),
                settings.pipeline(), settings.writeTimeout(), counters);
    }

    @Override
    public SinkCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        redis.close();
    }
}
