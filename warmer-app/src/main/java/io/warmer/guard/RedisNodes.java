package io.warmer.guard;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.warmer.config.RedisSettings;
import io.warmer.sink.CacheWriteException;
import io.warmer.sink.ClusterTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A connection of its own to Redis for watching memory: {@code INFO} of every master (the one server, or each master
 * of a Redis Cluster, where {@code maxmemory} and evictions are per node), and keyed commands routed like the sink's
 * ({@code MEMORY USAGE}, probe writes). Its own, so that a poll never waits behind a pipelined batch.
 */
public final class RedisNodes implements AutoCloseable {

    /** A poll that takes longer than this fails and is retried on the next one. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** How often a cluster's topology is re-read, so that a master that joined or took over is watched too. */

    private final String address;
    private final StatefulConnection<String, String> connection;
    private final Runnable shutdown;
    private final RedisClusterCommands<String, String> commands;
    private final Supplier<List<NodeMemory>> masters;

    private RedisNodes(String address, StatefulConnection<String, String> connection, Runnable shutdown,
                       RedisClusterCommands<String, String> commands, Supplier<List<NodeMemory>> masters) {
        this.address = address;
        this.connection = connection;
        this.shutdown = shutdown;
        this.commands = commands;
        this.masters = masters;
    }

    /** @throws CacheWriteException naming the server (or the seed nodes) when Redis cannot be reached */
    public static RedisNodes connect(RedisSettings settings) {
        try {
            return settings.mode() == RedisSettings.Mode.CLUSTER ? cluster(settings) : standalone(settings);
        } catch (io.lettuce.core.RedisException e) {
            throw new CacheWriteException("Cannot reach Redis at " + settings.address() + " to watch its memory: "
                    + e.getMessage() + "; check that Redis is running and that redis.uri is right.", e);
        }
    }

    private static RedisNodes standalone(RedisSettings settings) {
        RedisURI uri = settings.redisUri();
        uri.setTimeout(COMMAND_TIMEOUT);
        RedisClient client = RedisClient.create(uri);
        StatefulRedisConnection<String, String> connection;
        try {
            connection = client.connect(StringCodec.UTF8);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
        String node = uri.getHost() + ":" + uri.getPort();
        var sync = connection.sync();
        return new RedisNodes(settings.address(), connection, client::shutdown, sync,
                () -> List.of(NodeMemory.parse(node, sync.info("memory"), sync.info("stats"))));
    }

    private static RedisNodes cluster(RedisSettings settings) {
        List<RedisURI> seeds = settings.seedUris();
        seeds.forEach(seed -> seed.setTimeout(COMMAND_TIMEOUT));
        RedisClusterClient client = RedisClusterClient.create(seeds);
        client.setOptions(ClusterClientOptions.builder()
                .topologyRefreshOptions(ClusterTopology.refresh())
                .build());
        StatefulRedisClusterConnection<String, String> connection;
        try {
            connection = client.connect(StringCodec.UTF8);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
        return new RedisNodes(settings.address(), connection, client::shutdown, connection.sync(), () -> {
            List<NodeMemory> nodes = new ArrayList<>();
            for (RedisClusterNode node : connection.getPartitions()) {
                // A dead master stays in the node table, flagged failed, after its replica took over.
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.is(RedisClusterNode.NodeFlag.FAIL)
                        && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)) {
                    var sync = connection.getConnection(node.getNodeId()).sync();
                    nodes.add(NodeMemory.parse(node.getUri().getHost() + ":" + node.getUri().getPort(),
                            sync.info("memory"), sync.info("stats")));
                }
            }
            return nodes;
        });
    }

    /**
     * Memory and evictions of every master, now.
     *
     * @throws CacheWriteException naming the node and the field when Redis hides what is read from INFO
     */
    public List<NodeMemory> masters() {
        try {
            return masters.get();
        } catch (IllegalStateException e) {
            throw new CacheWriteException(e.getMessage(), e);
        }
    }

    /** Commands on keys, routed to the node owning each key in a cluster. */
    public RedisClusterCommands<String, String> commands() {
        return commands;
    }

    /** host:port, or a cluster's seed nodes, for messages: never the password. */
    public String address() {
        return address;
    }

    @Override
    public void close() {
        connection.close();
        shutdown.run();
    }
}
