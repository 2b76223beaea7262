package io.warmer.testing;

import io.warmer.embedded.EmbeddedKafka;
import io.warmer.embedded.EmbeddedRedis;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Installed PostgreSQL and redis-server as child processes, plus Kafka inside this JVM. */
final class LocalInfrastructure implements RunningInfrastructure {

    private static final Logger log = LoggerFactory.getLogger(LocalInfrastructure.class);

    private final Deque<AutoCloseable> stopInReverse = new ArrayDeque<>();
    private PostgresAccess postgres;
    private String kafkaBootstrapServers;
    private String redisHost;
    private int redisPort;

    private LocalInfrastructure() {
    }

    static LocalInfrastructure start() {
        LocalInfrastructure infrastructure = new LocalInfrastructure();
        try {
            infrastructure.startServers();
            return infrastructure;
        } catch (RuntimeException e) {
            infrastructure.close();
            throw e;
        }
    }

    private void startServers() {
        TemporaryDirectory workDir = TemporaryDirectory.create("warmer-it-");
        stopInReverse.push(workDir);

        long began = System.nanoTime();
        LocalPostgres localPostgres = LocalPostgres.start(LocalPrerequisites.POSTGRES_BIN);
        stopInReverse.push(localPostgres);
        postgres = localPostgres.access();
        log.info("Local PostgreSQL on port {} started in {} ms", postgres.port(), millisSince(began));

        began = System.nanoTime();
        // Unlike the demo, tests must not fall back to the bundled Redis 6.2: they test against a real install.
        EmbeddedRedis redis = EmbeddedRedis.start(workDir.path(), LocalPrerequisites.redisServer());
        stopInReverse.push(redis);
        redisHost = redis.host();
        redisPort = redis.port();
        log.info("Local Redis on port {} started in {} ms", redisPort, millisSince(began));

        began = System.nanoTime();
        EmbeddedKafka kafka = EmbeddedKafka.start(workDir.path());
        stopInReverse.push(kafka);
        kafkaBootstrapServers = kafka.bootstrapServers();
        log.info("In-process Kafka on {} started in {} ms", kafkaBootstrapServers, millisSince(began));
    }

    @Override
    public InfrastructureMode mode() {
        return InfrastructureMode.LOCAL;
    }

    @Override
    public PostgresAccess postgres() {
        return postgres;
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    @Override
    public String redisHost() {
        return redisHost;
    }

    @Override
    public int redisPort() {
        return redisPort;
    }

    /** Stops everything that was started, even if stopping one server fails. */
    @Override
    public void close() {
        while (!stopInReverse.isEmpty()) {
            AutoCloseable server = stopInReverse.pop();
            try {
                server.close();
            } catch (Exception e) {
                log.warn("Could not stop {} cleanly", server, e);
            }
        }
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
