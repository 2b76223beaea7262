package io.warmer.sink;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.warmer.config.RedisSettings;

/**
 * A Redis client for one {@link RedisSettings.Mode}, checked at start-up: it opens the connections writers
 * pipeline over. One per process; closing it shuts the client down.
 */
sealed interface RedisDeployment extends AutoCloseable permits StandaloneRedis, ClusterRedis {

    /**
     * Connects and checks that Redis answers and is of the configured mode.
     *
     * @throws CacheWriteException one line naming the server (or the seed nodes) and what to check
     */
    static RedisDeployment connect(RedisSettings settings) {
        return switch (settings.mode()) {
            case STANDALONE -> StandaloneRedis.connect(settings);
            case CLUSTER -> ClusterRedis.connect(settings);
        };
    }

    /** A new connection with auto-flush still on; the caller owns it. */
    WriterConnection open();

    @Override
    void close();

    /** A connection and its asynchronous commands, whichever the mode. */
    record WriterConnection(StatefulConnection<String, String> connection,
                            RedisClusterAsyncCommands<String, String> commands) {
    }

    /** The innermost cause's message on one line, e.g. "Connection refused: /127.0.0.1:7000". */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
