package io.warmer.verify;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.warmer.config.RedisSettings;
import io.warmer.sink.CacheWriteException;
import io.warmer.sink.ClusterTopology;
import java.time.Duration;

/** A synchronous Redis connection of either mode, for commands that read the cache. */
public record RedisReader(Runnable shutdown, AutoCloseable connection, RedisClusterCommands<String, String> commands)
        implements AutoCloseable {

    /** @throws CacheWriteException naming the server when Redis cannot be reached */
    public static RedisReader connect(RedisSettings settings) {
        return connect(settings, null);
    }

    /**
     * @param timeout how long a command may wait for its answer, or null for Lettuce's default (60 s)
     * @throws CacheWriteException naming the server when Redis cannot be reached
     */
    public static RedisReader connect(RedisSettings settings, Duration timeout) {
        if (settings.mode() == RedisSettings.Mode.CLUSTER) {
            RedisClusterClient client = RedisClusterClient.create(settings.seedUris());
            client.setOptions(io.lettuce.core.cluster.ClusterClientOptions.builder()
                    .topologyRefreshOptions(ClusterTopology.refresh())
                    .build());
            try {
                var connection = client.connect();
                if (timeout != null) {
                    connection.setTimeout(timeout);
                }
                return new RedisReader(client::shutdown, connection, connection.sync());
            } catch (RedisConnectionException e) {
                client.shutdown();
                throw unreachable(settings, e);
            }
        }
        RedisClient client = RedisClient.create(settings.redisUri());
        try {
            var connection = client.connect();
            if (timeout != null) {
                connection.setTimeout(timeout);
            }
            return new RedisReader(client::shutdown, connection, connection.sync());
        } catch (RedisConnectionException e) {
            client.shutdown();
            throw unreachable(settings, e);
        }
    }

    private static CacheWriteException unreachable(RedisSettings settings, RedisConnectionException e) {
        return new CacheWriteException("Cannot reach Redis at " + settings.address()
                + "; check that Redis is running and that redis.uri is right.", e);
    }

    @Override
    public void close() throws Exception {
        connection.close();
        shutdown.run();
    }
}
