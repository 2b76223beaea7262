package io.warmer.migrate;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.warmer.config.RedisSettings;
import io.warmer.sink.CacheWriteException;
import java.util.Comparator;
import java.util.List;

/**
 * Redis as {@code migrate-keys} uses it, in either mode: commands routed by key over a byte-array codec (a DUMP
 * payload is binary and would not survive a String codec), and the nodes holding keys, to SCAN one at a time in
 * a stable order, so that a position in the keyspace is a (node, cursor) pair that can be stored and resumed.
 * Lettuce's cluster-wide scan cursor cannot be stored.
 */
public final class RedisKeyspace implements AutoCloseable {

    /** The only node of a standalone Redis. */
    static final String STANDALONE_NODE = "standalone";

    private interface NodeScan {
        RedisFuture<KeyScanCursor<byte[]>> scan(String node, ScanCursor cursor, ScanArgs args);
    }

    private final Runnable shutdown;
    private final StatefulConnection<byte[], byte[]> connection;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final List<String> nodes;
    private final NodeScan scan;
    private final String address;

    private RedisKeyspace(Runnable shutdown, StatefulConnection<byte[], byte[]> connection,
                          RedisClusterAsyncCommands<byte[], byte[]> commands, List<String> nodes, NodeScan scan,
                          String address) {
        this.shutdown = shutdown;
        this.connection = connection;
        this.commands = commands;
        this.nodes = nodes;
        this.scan = scan;
        this.address = address;
    }

    /** @throws CacheWriteException naming the server (or seed nodes) when Redis cannot be reached */
    public static RedisKeyspace connect(RedisSettings settings) {
        if (settings.mode() == RedisSettings.Mode.CLUSTER) {
            RedisClusterClient client = RedisClusterClient.create(settings.seedUris());
            try {
                var connection = client.connect(ByteArrayCodec.INSTANCE);
                // Masters only (replicas hold copies of the same keys), by node id: the same order on every run.
                List<String> masters = connection.getPartitions().stream()
                        .filter(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM))
                        .map(RedisClusterNode::getNodeId).sorted(Comparator.naturalOrder()).toList();
                return new RedisKeyspace(client::shutdown, connection, connection.async(), masters,
                        (node, cursor, args) -> connection.getConnection(node).async().scan(cursor, args),
                        settings.address());
            } catch (RedisConnectionException e) {
                client.shutdown();
                throw unreachable(settings, e);
            }
        }
        RedisClient client = RedisClient.create(settings.redisUri());
        try {
            var connection = client.connect(ByteArrayCodec.INSTANCE);
            return new RedisKeyspace(client::shutdown, connection, connection.async(), List.of(STANDALONE_NODE),
                    (node, cursor, args) -> connection.async().scan(cursor, args), settings.address());
        } catch (RedisConnectionException e) {
            client.shutdown();
            throw unreachable(settings, e);
        }
    }

    private static CacheWriteException unreachable(RedisSettings settings, RedisConnectionException e) {
        return new CacheWriteException("Cannot reach Redis at " + settings.address()
                + "; check that Redis is running and that redis.uri (and redis.mode) are right.", e);
    }

    /** The nodes to scan, in the order to scan them: the masters' ids, or {@link #STANDALONE_NODE}. */
    List<String> nodes() {
        return nodes;
    }

    /** One SCAN call on {@code node}, sent now: the caller may prepare other work while Redis answers. */
    RedisFuture<KeyScanCursor<byte[]>> scan(String node, ScanCursor cursor, ScanArgs args) {
        return scan.scan(node, cursor, args);
    }

    /** Commands routed to the node owning their key's slot; auto-flush on, so none waits for another's reply. */
    RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return commands;
    }

    /** host:port of the server or the seed nodes, for messages: never the password. */
    String address() {
        return address;
    }

    @Override
    public void close() {
        connection.close();
        shutdown.run();
    }
}
