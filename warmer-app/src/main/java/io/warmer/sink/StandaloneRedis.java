package io.warmer.sink;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.warmer.config.RedisSettings;

/** {@code redis.mode: standalone}: one server, one connection per writer. */
final class StandaloneRedis implements RedisDeployment {

    private final RedisClient client;

    private StandaloneRedis(RedisClient client) {
        this.client = client;
    }

    static StandaloneRedis connect(RedisSettings settings) {
        RedisURI uri = settings.redisUri();
        uri.setTimeout(RedisCacheWriterFactory.CONNECT_TIMEOUT);
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder().autoReconnect(true).build());
        try (var connection = client.connect(StringCodec.UTF8)) {
            connection.sync().ping();
            if (connection.sync().info("cluster").contains("cluster_enabled:1")) {
                // Writes would fail with MOVED for every key the node does not own.
                client.shutdown();
                throw new CacheWriteException("Redis at " + settings.address() + " is a Redis Cluster node;"
                        + " set redis.mode: cluster so that writes are routed to the node owning each key.", null);
            }
        } catch (RedisConnectionException e) {
            client.shutdown();
            throw new CacheWriteException("Cannot reach Redis at " + settings.address() + ": "
                    + RedisDeployment.rootMessage(e) + "; check that Redis is running and that redis.uri is right.", e);
        } catch (CacheWriteException e) {
            throw e;
        } catch (RuntimeException e) {
            client.shutdown();
            throw new CacheWriteException("Redis at " + settings.address() + " refused Warmer: "
                    + RedisDeployment.rootMessage(e) + "; check the password and ACLs in redis.uri.", e);
        }
        return new StandaloneRedis(client);
    }

    @Override
    public WriterConnection open() {
        StatefulRedisConnection<String, String> connection = client.connect(StringCodec.UTF8);
        return new WriterConnection(connection, connection.async());
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
