package io.warmer.sink;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;
import io.warmer.config.RedisSettings;
import java.util.List;

/**
 * {@code redis.mode: cluster}: Lettuce's cluster client, discovering the topology from the seed nodes. Each
 * writer gets one cluster connection, which holds one pipelined connection per node.
 */
final class ClusterRedis implements RedisDeployment {

    /**
     * How often the topology is re-read even when nothing hinted at a change. Redirects (MOVED, ASK),
     * reconnects and uncovered slots trigger a refresh at once, so a resharding or failover is followed
     * within a batch; the periodic refresh also notices nodes that joined.
     */

    private final RedisClusterClient client;

    private ClusterRedis(RedisClusterClient client) {
        this.client = client;
    }

    static ClusterRedis connect(RedisSettings settings) {
        List<RedisURI> seeds = settings.seedUris();
        seeds.forEach(seed -> seed.setTimeout(RedisCacheWriterFactory.CONNECT_TIMEOUT));
        RedisClusterClient client = RedisClusterClient.create(seeds);
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                .topologyRefreshOptions(ClusterTopology.refresh())
                .build());
        String state;
        try (var connection = client.connect(StringCodec.UTF8)) {
            connection.sync().ping();
            state = clusterState(connection.sync().clusterInfo());
        } catch (RedisConnectionException e) {
            client.shutdown();
            String cause = RedisDeployment.rootMessage(e);
            if (cause.contains("cluster support disabled")) {
                throw new CacheWriteException("Redis at " + settings.address() + " is not a Redis Cluster node ("
                        + cause + "); set redis.mode: standalone, or point redis.uri at the cluster's nodes.", e);
            }
            throw new CacheWriteException("Cannot reach Redis Cluster at seed nodes " + settings.address() + ": "
                    + cause + "; check that the cluster is running and that redis.uri lists its nodes.", e);
        } catch (RuntimeException e) {
            client.shutdown();
            throw new CacheWriteException("Redis Cluster at seed nodes " + settings.address() + " refused Warmer: "
                    + RedisDeployment.rootMessage(e) + "; check the password and ACLs in redis.uri.", e);
        }
        if (!"ok".equals(state)) {
            client.shutdown();
            throw new CacheWriteException("Redis Cluster at seed nodes " + settings.address() + " reports"
                    + " cluster_state:" + state + ", so it refuses writes; check that every slot is served"
                    + " ('redis-cli --cluster check " + settings.seedUris().get(0).getHost() + ":"
                    + settings.seedUris().get(0).getPort() + "').", null);
        }
        return new ClusterRedis(client);
    }

    private static String clusterState(String clusterInfo) {
        for (String line : clusterInfo.split("\\R")) {
            if (line.startsWith("cluster_state:")) {
                return line.substring("cluster_state:".length()).strip();
            }
        }
        return "unknown";
    }

    @Override
    public WriterConnection open() {
        StatefulRedisClusterConnection<String, String> connection = client.connect(StringCodec.UTF8);
        return new WriterConnection(connection, connection.async());
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
