package io.warmer.testing;

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

    /** {@code base} made lowercase [a-z0-9_] plus a suffix that is unique per call, e.g. {@code orders_k3f9x2_7}. */
    public String uniqueName(String base) {
        return UniqueNames.next(base);
    }

    /** Whether the servers run in containers or as local processes; for diagnostics. */
    public InfrastructureMode mode() {
        return servers.mode();
    }
}
