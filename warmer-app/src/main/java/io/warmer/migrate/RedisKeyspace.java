package io.warmer.migrate;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redis as {@code migrate-keys} uses it, in either mode: commands routed by key over a byte-array codec (a DUMP
 * payload is binary and would not survive a String codec), and the nodes holding keys, to SCAN one at a time in
 * a stable order, so that a position in the keyspace is a (node, cursor) pair that can be stored and resumed.
 * Lettuce's cluster-wide scan cursor cannot be stored.
 */
public final class RedisKeyspace implements AutoCloseable {

    private final RedisConnection<byte[], byte[]> redis;
    /** The masters by node id, in the order they are scanned: the same on every run. */
    private final Map<String, RedisConnection.Node<byte[], byte[]>> masters = new LinkedHashMap<>();

    private RedisKeyspace(RedisConnection<byte[], byte[]> redis) {
        this.redis = redis;
        redis.masters().forEach(node -> masters.put(node.id(), node));
    }

    /** @throws io.warmer.redis.RedisUnavailableException naming the server (or seed nodes) when Redis cannot be reached */
    public static RedisKeyspace connect(Redis process) {
        RedisConnection<byte[], byte[]> redis = process.connect(ByteArrayCodec.INSTANCE, process.settings().commandTimeout());
        try {
            return new RedisKeyspace(redis);
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
    }

    /** The nodes to scan, in the order to scan them: the masters' ids, or {@link RedisConnection#STANDALONE_NODE}. */
    List<String> nodes() {
        return List.copyOf(masters.keySet());
    }

    /** Whether this is one server, where a copy can be done server side. */
    boolean standalone() {
        return !redis.cluster();
    }

    /** One SCAN call on {@code node}, sent now: the caller may prepare other work while Redis answers. */
    RedisFuture<KeyScanCursor<byte[]>> scan(String node, ScanCursor cursor, ScanArgs args) {
        RedisConnection.Node<byte[], byte[]> master = masters.get(node);
        if (master == null) {
            throw new IllegalStateException("node " + node + " is no longer a master of " + redis.address()
                    + "; the cluster changed since the scan began. Run migrate-keys again with --restart.");
        }
        return master.async().scan(cursor, args);
    }

    /** Commands routed to the node owning their key's slot; auto-flush on, so none waits for another's reply. */
    RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return redis.async();
    }

    /** The connection, for loading scripts. */
    RedisConnection<byte[], byte[]> connection() {
        return redis;
    }

    /** host:port of the server or the seed nodes, for messages: never the password. */
    String address() {
        return redis.address();
    }

    @Override
    public void close() {
        redis.close();
    }
}
