package io.warmer.testing;

import java.util.List;

/**
 * What an integration test gets from {@link WarmerInfrastructure}: real PostgreSQL, Kafka and Redis servers,
 * shared by every test in the JVM. Tests stay independent by using {@link PostgresAccess#newDatabase()} and
 * {@link #uniqueName(String)} for topics, key prefixes, slots and consumer groups.
 */
public final class TestInfra {

    private final RunningInfrastructure servers;

    TestInfra(RunningInfrastructure servers) {
        this.servers = servers;
    }

    public PostgresAccess postgres() {
        return servers.postgres();
    }

    public String kafkaBootstrapServers() {
        return servers.kafkaBootstrapServers();
    }

    public String redisHost() {
        return servers.redisHost();
    }

    public int redisPort() {
        return servers.redisPort();
    }

    /** E.g. {@code redis://127.0.0.1:6379}, as Lettuce's {@code RedisClient.create} takes it. */
    public String redisUri() {
        return "redis://" + redisHost() + ":" + redisPort();
    }

    /**
     * The seed nodes of a local three-master Redis Cluster, e.g. {@code redis://127.0.0.1:41001,127.0.0.1:41003,…},
     * as {@code redis.uri} takes them with {@code redis.mode: cluster}. Started on first call and shared by the
     * JVM; made of the installed {@code redis-server} and {@code redis-cli} in both modes (see
     * {@link SharedRedisCluster}).
     */
    public String redisClusterUri() {
        return SharedRedisCluster.get().uri();
    }

    /** The client ports of the cluster's nodes, one per master. */
    public List<Integer> redisClusterPorts() {
        return SharedRedisCluster.get().ports();
    }

    /** {@code base} made lowercase [a-z0-9_] plus a suffix that is unique per call, e.g. {@code orders_k3f9x2_7}. */
    public String uniqueName(String base) {
        return UniqueNames.next(base);
    }

    /** Whether the servers run in containers or as local processes; for diagnostics. */
    public InfrastructureMode mode() {
        return servers.mode();
    }
}
