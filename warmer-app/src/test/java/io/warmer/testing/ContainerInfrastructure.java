package io.warmer.testing;

import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/** PostgreSQL, Kafka (KRaft) and Redis in Docker containers, started together. */
final class ContainerInfrastructure implements RunningInfrastructure {

    private static final DockerImageName POSTGRES_IMAGE = DockerImageName.parse("postgres:16");
    private static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:4.1.0");
    private static final DockerImageName REDIS_IMAGE = DockerImageName.parse("redis:7");
    private static final int REDIS_PORT = 6379;

    private final PostgreSQLContainer<?> postgres;
    private final KafkaContainer kafka;
    private final GenericContainer<?> redis;

    private ContainerInfrastructure(PostgreSQLContainer<?> postgres, KafkaContainer kafka,
            GenericContainer<?> redis) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.redis = redis;
    }

    @SuppressWarnings("resource") // closed by close()
    static ContainerInfrastructure start() {
        PostgreSQLContainer<?> postgres = new PostgreSQLContainer<>(POSTGRES_IMAGE)
                .withCommand("postgres",
                        "-c", "wal_level=logical",
                        "-c", "max_replication_slots=400",
                        "-c", "max_wal_senders=50",
                        "-c", "fsync=off");
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE);
        GenericContainer<?> redis = new GenericContainer<>(REDIS_IMAGE).withExposedPorts(REDIS_PORT);
        ContainerInfrastructure infrastructure = new ContainerInfrastructure(postgres, kafka, redis);
        try {
            Startables.deepStart(postgres, kafka, redis).join();
        } catch (RuntimeException e) {
            infrastructure.close();
            throw new IllegalStateException("Could not start the test containers (" + POSTGRES_IMAGE + ", "
                    + KAFKA_IMAGE + ", " + REDIS_IMAGE + "): " + e.getMessage() + ". Check that Docker can pull "
                    + "these images, or run with -D" + InfrastructureMode.PROPERTY + "=local.", e);
        }
        return infrastructure;
    }

    @Override
    public InfrastructureMode mode() {
        return InfrastructureMode.CONTAINERS;
    }

    @Override
    public PostgresAccess postgres() {
        // The image makes POSTGRES_USER a superuser, so it may create replication slots.
        return new PostgresAccess(postgres.getHost(), postgres.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT),
                postgres.getUsername(), postgres.getPassword(), () -> {
                    throw new IllegalStateException("restarting PostgreSQL on the same port needs the local harness:"
                            + " the container's PostgreSQL is its main process, and Docker may map a restarted"
                            + " container to another port; it runs with the local harness (no Docker), as in CI");
                });
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String redisHost() {
        return redis.getHost();
    }

    @Override
    public int redisPort() {
        return redis.getMappedPort(REDIS_PORT);
    }

    @Override
    public void close() {
        for (GenericContainer<?> container : List.of(redis, kafka, postgres)) {
            container.stop();
        }
    }
}
