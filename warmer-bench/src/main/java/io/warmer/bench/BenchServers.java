package io.warmer.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.warmer.embedded.EmbeddedKafka;
import io.warmer.embedded.EmbeddedPostgres;
import io.warmer.embedded.EmbeddedRedis;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The servers one suite run measures against, all on this machine's cores: PostgreSQL (zonky's
 * embedded binaries, {@code wal_level=logical}), the in-process KRaft broker and {@code redis-server}
 * from the PATH. Also the benchmark's own connections to them.
 */
final class BenchServers implements AutoCloseable {

    final EmbeddedPostgres postgres;
    final EmbeddedKafka kafka;
    final EmbeddedRedis redis;
    final Connection db;
    final RedisClient redisClient;
    final StatefulRedisConnection<String, String> redisConnection;

    private BenchServers(EmbeddedPostgres postgres, EmbeddedKafka kafka, EmbeddedRedis redis, Connection db,
                         RedisClient redisClient) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.redis = redis;
        this.db = db;
        this.redisClient = redisClient;
        this.redisConnection = redisClient.connect();
    }

    static BenchServers start(Path work) throws SQLException {
        EmbeddedPostgres pg = EmbeddedPostgres.start(work.resolve("postgres"));
        EmbeddedKafka kafka = null;
        EmbeddedRedis redis = null;
        try {
            kafka = EmbeddedKafka.start(work.resolve("kafka"));
            redis = EmbeddedRedis.start(work.resolve("redis"));
            Connection db = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
            return new BenchServers(pg, kafka, redis, db, RedisClient.create(redis.uri()));
        } catch (RuntimeException | SQLException e) {
            if (redis != null) {
                redis.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            pg.close();
            throw e;
        }
    }

    /** PostgreSQL's postmaster, which pg_ctl daemonized: not a descendant of this JVM. */
    long postmasterPid(Path work) throws java.io.IOException {
        Path file = work.resolve("postgres").resolve("postgres-data").resolve("postmaster.pid");
        return Long.parseLong(java.nio.file.Files.readAllLines(file).get(0).trim());
    }

    RedisCommands<String, String> redisSync() {
        return redisConnection.sync();
    }

    @Override
    public void close() throws SQLException {
        try {
            redisConnection.close();
            redisClient.shutdown();
            db.close();
        } finally {
            redis.close();
            kafka.close();
            postgres.close();
        }
    }
}
