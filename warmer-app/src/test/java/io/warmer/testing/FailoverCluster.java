package io.warmer.testing;

import java.time.Duration;
import java.util.List;

/**
 * A Redis Cluster of its own for one test, three masters with a replica each, whose replicas take over two seconds
 * after their master goes silent: for tests that kill a master. Stop it with {@link #close()}.
 */
public final class FailoverCluster implements AutoCloseable {

    private final LocalRedisCluster cluster;

    private FailoverCluster(LocalRedisCluster cluster) {
        this.cluster = cluster;
    }

    public static FailoverCluster start() {
        return new FailoverCluster(LocalRedisCluster.start(LocalPrerequisites.redisServer(),
                LocalPrerequisites.redisCli(), 1, Duration.ofSeconds(2)));
    }

    /** The seed nodes, for {@code redis.uri} in cluster mode. */
    public String uri() {
        return cluster.uri();
    }

    public List<Integer> ports() {
        return cluster.ports();
    }

    /** Sends a signal ({@code STOP}, {@code CONT}) to the node on {@code port}: a stopped node takes no replication. */
    public void signal(String signal, int port) throws java.io.IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(cluster.pid(port))).start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " of the node on port " + port + " failed");
        }
    }

    /** CLUSTER FORGET of a dead node on every other node, as an operator does to remove it for good. */
    public void forget(String nodeId, int deadPort) {
        for (int port : ports()) {
            if (port == deadPort) {
                continue;
            }
            io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + port);
            try (var connection = client.connect()) {
                connection.sync().clusterForget(nodeId);
            } catch (io.lettuce.core.RedisException e) {
                // a replica that already forgot it, or the node itself: nothing to do
            } finally {
                client.shutdown();
            }
        }
    }

    /** The last lines each node logged, for a failure message: its replication and failover, as it saw them. */
    public String logs(int lines) {
        StringBuilder text = new StringBuilder();
        for (int port : ports()) {
            text.append("\n--- redis ").append(port).append(" ---\n").append(cluster.logTail(port, lines));
        }
        return text.toString();
    }

    /** SIGKILL of the node on {@code port}. */
    public void kill(int port) {
        cluster.kill(port);
    }

    @Override
    public void close() {
        cluster.close();
    }
}
