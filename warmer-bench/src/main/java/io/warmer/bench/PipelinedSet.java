package io.warmer.bench;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a team's hand-written loader does with Redis, for the references W1 is compared with: {@code SET key value EX}
 * over one Lettuce connection with auto-flush off, flushed every {@link #FLUSH_EVERY} commands, waiting for the
 * acknowledgements whenever {@link #MAX_OUTSTANDING} are out. No fencing, no version keys, no scripts.
 */
final class PipelinedSet implements AutoCloseable {

    static final int FLUSH_EVERY = 1_000;
    static final int MAX_OUTSTANDING = 16_384;
    private static final Duration ACK_TIMEOUT = Duration.ofMinutes(1);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final SetArgs expiry;
    private final List<RedisFuture<String>> outstanding = new ArrayList<>(MAX_OUTSTANDING);
    private long written;

    PipelinedSet(String uri, Duration ttl) {
        client = RedisClient.create(uri);
        connection = client.connect();
        connection.setAutoFlushCommands(false);
        redis = connection.async();
        expiry = SetArgs.Builder.ex(ttl.toSeconds());
    }

    void set(String key, String value) {
        outstanding.add(redis.set(key, value, expiry));
        written++;
        if (outstanding.size() % FLUSH_EVERY == 0) {
            connection.flushCommands();
        }
        if (outstanding.size() >= MAX_OUTSTANDING) {
            awaitAll();
        }
    }

    /** Flushes, and waits until Redis acknowledged every SET sent. */
    void awaitAll() {
        connection.flushCommands();
        if (!LettuceFutures.awaitAll(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS,
                outstanding.toArray(RedisFuture[]::new))) {
            throw new IllegalStateException("Redis did not acknowledge " + outstanding.size() + " SETs within "
                    + ACK_TIMEOUT);
        }
        outstanding.clear();
    }

    long written() {
        return written;
    }

    @Override
    public void close() {
        awaitAll();
        connection.close();
        client.shutdown();
    }
}
