package io.warmer.redis;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * One connection to Redis, whichever the mode: commands on keys (routed to the node owning each key's slot in a
 * cluster), and the nodes themselves for what is per node ({@code INFO}, {@code SCAN}, {@code SCRIPT LOAD}).
 */
public final class RedisConnection<K, V> implements AutoCloseable {

    /** The id of the only node of a standalone Redis. */
    public static final String STANDALONE_NODE = "standalone";

    /** One node: its cluster id (or {@link #STANDALONE_NODE}), host:port and commands sent to it alone. */
    public record Node<K, V>(String id, String address, boolean master, boolean servesSlots,
                             RedisClusterCommands<K, V> sync, RedisClusterAsyncCommands<K, V> async) {
    }

    private final StatefulConnection<K, V> connection;
    private final RedisClusterCommands<K, V> sync;
    private final RedisClusterAsyncCommands<K, V> async;
    private final StatefulRedisClusterConnection<K, V> cluster;
    private final String address;

    RedisConnection(StatefulConnection<K, V> connection, RedisClusterCommands<K, V> sync,
                    RedisClusterAsyncCommands<K, V> async, StatefulRedisClusterConnection<K, V> cluster, String address) {
        this.connection = connection;
        this.sync = sync;
        this.async = async;
        this.cluster = cluster;
        this.address = address;
    }

    public RedisClusterCommands<K, V> sync() {
        return sync;
    }

    public RedisClusterAsyncCommands<K, V> async() {
        return async;
    }

    /** The Lettuce connection, for what is per connection (auto-flush, pipelining). */
    public StatefulConnection<K, V> stateful() {
        return connection;
    }

    public boolean cluster() {
        return cluster != null;
    }

    /**
     * The masters that hold the keys, by node id (the same order on every call): the one server, or each master of
     * a cluster but those it marks failed. A dead master stays in the node table, flagged failed, after its replica
     * took over.
     */
    public List<Node<K, V>> masters() {
        return nodes(true);
    }

    /** Every node the cluster does not mark failed, replicas included, by node id; standalone: the server. */
    public List<Node<K, V>> nodes() {
        return nodes(false);
    }

    private List<Node<K, V>> nodes(boolean mastersOnly) {
        if (cluster == null) {
            return List.of(new Node<>(STANDALONE_NODE, address, true, true, sync, async));
        }
        return cluster.getPartitions().stream()
                .filter(node -> !node.is(RedisClusterNode.NodeFlag.FAIL) && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
                        && !node.is(RedisClusterNode.NodeFlag.NOADDR))
                .filter(node -> !mastersOnly || node.is(RedisClusterNode.NodeFlag.UPSTREAM))
                .sorted(Comparator.comparing(RedisClusterNode::getNodeId))
                .map(node -> {
                    // Opened on first use and kept by the cluster connection.
                    var nodeConnection = cluster.getConnection(node.getNodeId());
                    return new Node<>(node.getNodeId(), node.getUri().getHost() + ":" + node.getUri().getPort(),
                            node.is(RedisClusterNode.NodeFlag.UPSTREAM), !node.getSlots().isEmpty(),
                            nodeConnection.sync(), nodeConnection.async());
                })
                .toList();
    }

    /** How long a command waits for its answer on this connection. */
    public Duration commandTimeout() {
        return connection.getTimeout();
    }

    /** host:port of the server or the seed nodes, for messages: never the password. */
    public String address() {
        return address;
    }

    @Override
    public void close() {
        connection.close();
    }
}
