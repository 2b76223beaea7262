package io.warmer.testing;

/** The three servers integration tests talk to, however they were started. Closing stops them. */
interface RunningInfrastructure extends AutoCloseable {

    InfrastructureMode mode();

    PostgresAccess postgres();

    String kafkaBootstrapServers();

    String redisHost();

    int redisPort();

    @Override
    void close();
}
