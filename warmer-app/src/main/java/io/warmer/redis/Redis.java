package io.warmer.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.warmer.config.RedisSettings;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Redis as one process sees it: the {@code redis:} settings turned, once, into one client of the configured mode
 * over one set of event loops. Every part of the process that talks to Redis opens its connections here, so a
 * process runs {@link #IO_THREADS} Netty event-loop threads however many parts it has. Creating it does no I/O;
 * {@link #check()} is the start-up check; closing it shuts the client and its threads down.
 */
public final class Redis implements AutoCloseable {

    /**
     * Event-loop threads of the process. Warmer's connections are few and pipelined; on a small box more threads
     * only compete with Kafka Streams for the cores.
     */
    static final int IO_THREADS = 2;
    /** A failover takes a few seconds to settle: look again soon rather than after Lettuce's default 30 s. */
    static final Duration TOPOLOGY_ADAPTIVE_AT_MOST_EVERY = Duration.ofSeconds(5);
    /** A cluster's topology is also re-read this often, so that nodes that joined are noticed. */
    static final Duration TOPOLOGY_PERIOD = Duration.ofSeconds(30);

    private final RedisSettings settings;
    private final List<RedisURI> seeds;
    private final String address;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Redis(RedisSettings settings) {
        this.settings = settings;
        this.seeds = settings.seedUris();
        // Connections start with the configured command timeout; a connection may set its own.
        seeds.forEach(seed -> seed.setTimeout(settings.commandTimeout()));
        this.address = seeds.stream().map(seed -> seed.getHost() + ":" + seed.getPort()).collect(Collectors.joining(","));
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(IO_THREADS).computationThreadPoolSize(IO_THREADS).build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(settings.connectTimeout()).build();
        SslOptions ssl = sslOptions(settings.tls());
        if (cluster()) {
            RedisClusterClient clusterClient = RedisClusterClient.create(resources, seeds);
            clusterClient.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .socketOptions(socket)
                    .sslOptions(ssl)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers()
                            .adaptiveRefreshTriggersTimeout(TOPOLOGY_ADAPTIVE_AT_MOST_EVERY)
                            .enablePeriodicRefresh(TOPOLOGY_PERIOD)
                            .build())
                    .build());
            this.client = clusterClient;
        } else {
            RedisClient standaloneClient = RedisClient.create(resources);
            standaloneClient.setOptions(ClientOptions.builder().autoReconnect(true).socketOptions(socket).sslOptions(ssl)
                    .build());
            this.client = standaloneClient;
        }
    }

    /** {@code redis.tls}'s files; Lettuce's defaults (the JVM's trust store, no client certificate) without. */
    private static SslOptions sslOptions(RedisSettings.Tls tls) {
        SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
        if (tls != null && tls.caCert() != null) {
            ssl.trustManager(new File(tls.caCert()));
        }
        if (tls != null && tls.cert() != null) {
            ssl.keyManager(new File(tls.cert()), new File(tls.key()), null);
        }
        return ssl.build();
    }

    /** The process's Redis for {@code settings}; nothing is connected until a connection is asked for. */
    public static Redis of(RedisSettings settings) {
        return new Redis(settings);
    }

    /** A connection of String keys and values, with {@code redis.command-timeout}; the caller closes it. */
    public RedisConnection<String, String> connect() {
        return connect(StringCodec.UTF8, settings.commandTimeout());
    }

    /**
     * A new connection; the caller closes it.
     *
     * @param commandTimeout how long a command waits for its answer before it fails
     * @throws RedisUnavailableException naming the server (or the seed nodes) and what to check
     */
    public <K, V> RedisConnection<K, V> connect(RedisCodec<K, V> codec, Duration commandTimeout) {
        try {
            if (client instanceof RedisClusterClient clusterClient) {
                var connection = clusterClient.connect(codec);
                connection.setTimeout(commandTimeout);
                return new RedisConnection<>(connection, connection.sync(), connection.async(), connection, address);
            }
            var connection = ((RedisClient) client).connect(codec, seeds.get(0));
            connection.setTimeout(commandTimeout);
            return new RedisConnection<>(connection, connection.sync(), connection.async(), null, address);
        } catch (RedisException e) {
            throw RedisUnavailableException.of(where(), e);
        }
    }

    /**
     * Checks that Redis answers and is of the configured mode, so that a wrong address or mode fails at start-up
     * with one line rather than with every write.
     *
     * @throws RedisUnavailableException naming the server (or the seed nodes) and what to check
     */
    public void check() {
        try (RedisConnection<String, String> connection = connect()) {
            connection.sync().ping();
            if (cluster()) {
                String state = field(connection.sync().clusterInfo(), "cluster_state");
                if (!"ok".equals(state)) {
                    throw new RedisUnavailableException(where() + " reports cluster_state:" + state + ", so it"
                            + " refuses writes; check that every slot is served ('redis-cli --cluster check "
                            + seeds.get(0).getHost() + ":" + seeds.get(0).getPort() + "').", null);
                }
            } else if ("1".equals(field(connection.sync().info("cluster"), "cluster_enabled"))) {
                // Writes would fail with MOVED for every key the node does not own.
                throw new RedisUnavailableException(where() + " is a Redis Cluster node; set redis.mode: cluster"
                        + " so that writes are routed to the node owning each key.", null);
            }
        } catch (RedisException e) {
            throw RedisUnavailableException.of(where(), e);
        }
    }

    private static String field(String info, String name) {
        return InfoFields.field(info, name).orElse("unknown");
    }

    /** Whether this is a Redis Cluster ({@code redis.mode: cluster}). */
    public boolean cluster() {
        return settings.mode() == RedisSettings.Mode.CLUSTER;
    }

    /** host:port, or host:port,host:port for the seed nodes of a cluster, for messages: never the password. */
    public String address() {
        return address;
    }

    /** "Redis at host:port" or "Redis Cluster at seed nodes ...": how messages name it. */
    public String where() {
        return (cluster() ? "Redis Cluster at seed nodes " : "Redis at ") + address;
    }

    public RedisSettings settings() {
        return settings;
    }

    /** Shuts the client and its threads down; a second call does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            client.shutdown();
            resources.shutdown();
        }
    }
}
