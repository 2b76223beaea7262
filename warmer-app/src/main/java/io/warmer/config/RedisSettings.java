package io.warmer.config;

import static io.warmer.config.InvalidFieldException.require;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code redis}: where the cache is.
 *
 * @param uri          standalone: e.g. {@code redis://localhost:6379}; cluster: one or more seed nodes under one
 *                     scheme and password, separated by commas, e.g. {@code redis://:password@h1:7000,h2:7001};
 *                     a password may be given in the URI and is never printed
 * @param pipeline     commands sent per network flush; {@link #DEFAULT_PIPELINE}
 * @param writeTimeout how long a batch may wait for Redis before the batch is retried; {@link #DEFAULT_WRITE_TIMEOUT}
 * @param mode         a single server or a Redis Cluster; {@link #DEFAULT_MODE}
 * @param evictionGuard what to do when Redis starts evicting while Warmer writes; {@link #DEFAULT_EVICTION_GUARD}
 * @param rewarm       what to do when Redis loses its data; {@link RewarmSettings#DEFAULTS}
 * @param connectTimeout how long opening a connection may take; {@link #DEFAULT_CONNECT_TIMEOUT}
 * @param commandTimeout how long any other command (a check, a read, a poll) waits for its answer;
 *                       {@link #DEFAULT_COMMAND_TIMEOUT}
 * @param user           the ACL user Warmer authenticates as (Redis 6+); the {@code default} user when absent
 * @param password       its password; prefer {@code passwordEnv}, so that no secret sits in the file
 * @param passwordEnv    the environment variable holding the password
 * @param tls            certificates for a {@code rediss://} URI; the JVM's trust store and no client certificate
 *                       when absent
 */
public record RedisSettings(String uri, Integer pipeline, Duration writeTimeout, Mode mode,
                            EvictionGuardMode evictionGuard, RewarmSettings rewarm, Duration connectTimeout,
                            Duration commandTimeout, String user, String password, String passwordEnv, Tls tls) {

    /**
     * {@code redis.tls}: the files of a TLS connection ({@code rediss://}). Whether the server's host name is checked
     * as well as its certificate is the URI's {@code verifyPeer} (FULL by default, or CA or NONE).
     *
     * @param caCert the CA certificate(s) (PEM) the server's certificate must be signed by
     * @param cert   Warmer's client certificate chain (PEM), for {@code tls-auth-clients yes}
     * @param key    its private key (PEM, PKCS-8, unencrypted)
     */
    public record Tls(String caCert, String cert, String key) {
        public Tls {
            if ((cert == null) != (key == null)) {
                throw new InvalidFieldException(cert == null ? "cert" : "key", "is required with "
                        + (cert == null ? "key" : "cert") + ": a client certificate needs its private key");
            }
        }
    }

    public static final int DEFAULT_PIPELINE = 512;
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
    public static final Mode DEFAULT_MODE = Mode.STANDALONE;
    public static final EvictionGuardMode DEFAULT_EVICTION_GUARD = EvictionGuardMode.PAUSE;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

    /** {@code redis.mode}: how Warmer talks to Redis. */
    public enum Mode {
        /** One Redis server (a primary, or a proxy in front of several): {@code uri} names it. */
        STANDALONE("standalone"),
        /**
         * A Redis Cluster: {@code uri} names seed nodes, the rest of the topology is discovered from them and
         * followed when it changes; writes are routed and pipelined per node.
         */
        CLUSTER("cluster");

        private final String wireName;

        Mode(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }

        /**
         * @throws IllegalArgumentException not {@link InvalidFieldException}: the loader already knows the
         *         value's path ({@code redis.mode}) and would name the field twice
         */
        @JsonCreator
        public static Mode fromWireName(String text) {
            for (Mode mode : values()) {
                if (mode.wireName.equals(text)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("found '" + text + "', expected one of: "
                    + Arrays.stream(values()).map(Mode::wireName).collect(Collectors.joining(", ")));
        }
    }

    public RedisSettings {
        require(uri, "uri", "redis://localhost:6379");
        mode = mode == null ? DEFAULT_MODE : mode;
        seedsOf(uri, mode); // validates
        pipeline = pipeline == null ? DEFAULT_PIPELINE : pipeline;
        if (pipeline < 1) {
            throw new InvalidFieldException("pipeline", "found " + pipeline + ", expected at least 1");
        }
        writeTimeout = writeTimeout == null ? DEFAULT_WRITE_TIMEOUT : writeTimeout;
        evictionGuard = evictionGuard == null ? DEFAULT_EVICTION_GUARD : evictionGuard;
        rewarm = rewarm == null ? RewarmSettings.DEFAULTS : rewarm;
        connectTimeout = positive("connect-timeout", connectTimeout, DEFAULT_CONNECT_TIMEOUT);
        commandTimeout = positive("command-timeout", commandTimeout, DEFAULT_COMMAND_TIMEOUT);
        if (password != null && passwordEnv != null) {
            throw new InvalidFieldException("password-env", "found both password and password-env, expected one of them");
        }
        boolean credentials = user != null || password != null || passwordEnv != null;
        if (credentials && uri.matches("^[a-z]+://[^/]*@.*")) {
            throw new InvalidFieldException("uri", "found credentials in the URI and in user/password-env, expected"
                    + " them in one place (preferably user and password-env)");
        }
        if (user != null && password == null && passwordEnv == null) {
            throw new InvalidFieldException("password-env", "is required with user '" + user + "', e.g. WARMER_REDIS_PASSWORD");
        }
        if (tls != null && !uri.startsWith("rediss://")) {
            throw new InvalidFieldException("tls", "found TLS certificates for '" + masked(uri) + "', expected a"
                    + " rediss:// URI");
        }
    }

    /** No ACL user or TLS files besides the URI's. */
    public RedisSettings(String uri, Integer pipeline, Duration writeTimeout, Mode mode, EvictionGuardMode evictionGuard,
                         RewarmSettings rewarm, Duration connectTimeout, Duration commandTimeout) {
        this(uri, pipeline, writeTimeout, mode, evictionGuard, rewarm, connectTimeout, commandTimeout, null, null, null,
                null);
    }

    /** These settings with the password looked up and the certificate files checked. */
    RedisSettings resolve(Secrets secrets) {
        if (tls != null) {
            secrets.readableFile("redis.tls.ca-cert", tls.caCert());
            secrets.readableFile("redis.tls.cert", tls.cert());
            secrets.readableFile("redis.tls.key", tls.key());
        }
        return new RedisSettings(uri, pipeline, writeTimeout, mode, evictionGuard, rewarm, connectTimeout,
                commandTimeout, user, secrets.secret("redis.password-env", password, passwordEnv), null, tls);
    }

    private static Duration positive(String field, Duration value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.isZero() || value.isNegative()) {
            throw new InvalidFieldException(field, "found " + Durations.format(value) + ", expected a duration above 0, e.g. 5s");
        }
        return value;
    }

    /** The default timeouts, for callers that do not choose them. */
    public RedisSettings(String uri, Integer pipeline, Duration writeTimeout, Mode mode, EvictionGuardMode evictionGuard,
                         RewarmSettings rewarm) {
        this(uri, pipeline, writeTimeout, mode, evictionGuard, rewarm, null, null);
    }

    /** The default rewarm settings, for callers that do not choose them. */
    public RedisSettings(String uri, Integer pipeline, Duration writeTimeout, Mode mode, EvictionGuardMode evictionGuard) {
        this(uri, pipeline, writeTimeout, mode, evictionGuard, null, null, null);
    }

    /** The default eviction guard, for callers that do not choose one. */
    public RedisSettings(String uri, Integer pipeline, Duration writeTimeout, Mode mode) {
        this(uri, pipeline, writeTimeout, mode, null, null, null, null);
    }

    /** A standalone Redis, for callers that do not choose a mode. */
    public RedisSettings(String uri, Integer pipeline, Duration writeTimeout) {
        this(uri, pipeline, writeTimeout, null, null, null, null, null);
    }

    /**
     * The server (standalone), or the seed nodes the cluster's topology is discovered from (cluster), parsed anew:
     * the process's {@code io.warmer.redis.Redis} parses them once.
     */
    public List<RedisURI> seedUris() {
        List<RedisURI> seeds = seedsOf(uri, mode);
        if (password != null) {
            seeds.forEach(seed -> seed.setAuthentication(user == null ? "default" : user, password));
        }
        return seeds;
    }

    @Override
    public String toString() {
        return "RedisSettings[uri=" + masked(uri) + ", mode=" + mode.wireName() + ", pipeline=" + pipeline
                + ", writeTimeout=" + writeTimeout + ", evictionGuard=" + evictionGuard.wireName() + ", rewarm=" + rewarm
                + ", connectTimeout=" + connectTimeout + ", commandTimeout=" + commandTimeout
                + (user == null ? "" : ", user=" + user) + (password == null && passwordEnv == null ? "" : ", password=****")
                + (tls == null ? "" : ", " + tls) + "]";
    }

    static String masked(String uri) {
        return uri.replaceAll("//[^@/]*@", "//****@");
    }

    private static List<RedisURI> seedsOf(String uri, Mode mode) {
        if (mode == Mode.CLUSTER) {
            try {
                return List.copyOf(RedisClusterURIUtil.toRedisURIs(URI.create(uri)));
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException("uri", "found '" + masked(uri) + "', expected the cluster's seed"
                        + " nodes under one scheme, separated by commas, such as redis://host1:7000,host2:7001");
            }
        }
        RedisURI parsed;
        try {
            parsed = RedisURI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("uri", "found '" + masked(uri) + "', expected a Redis URI such as redis://localhost:6379");
        }
        if (parsed.getHost() != null && parsed.getHost().contains(",")) {
            // Lettuce would take "h1:7000,h2:7001" as one host name and connect to it on port 6379.
            throw new InvalidFieldException("uri", "found several hosts in '" + masked(uri) + "', expected one"
                    + " host in mode standalone; for a Redis Cluster set redis.mode: cluster");
        }
        return List.of(parsed);
    }
}
