package io.warmer.redis;

import io.lettuce.core.RedisConnectionException;

/**
 * Redis cannot be reached, refused Warmer, or is not of the configured {@code redis.mode}. The message is one line
 * that names the server (host:port, never the password) and what to check.
 */
public final class RedisUnavailableException extends RuntimeException {

    RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * What went wrong when connecting, worded once for every user of Redis.
     *
     * @param where {@link Redis#where()}, e.g. "Redis at cache:6379"
     */
    static RedisUnavailableException of(String where, Throwable failure) {
        String cause = rootMessage(failure);
        if (cause.contains("cluster support disabled")) {
            return new RedisUnavailableException(where + " is not a Redis Cluster node (" + cause
                    + "); set redis.mode: standalone, or point redis.uri at the cluster's nodes.", failure);
        }
        if (failure instanceof RedisConnectionException && !refusal(cause)) {
            return new RedisUnavailableException("Cannot reach " + where + ": " + cause
                    + "; check that Redis is running and that redis.uri (and redis.mode) are right.", failure);
        }
        return new RedisUnavailableException(where + " refused Warmer: " + cause
                + "; check the password and ACLs in redis.uri.", failure);
    }

    private static boolean refusal(String cause) {
        return cause.contains("NOAUTH") || cause.contains("WRONGPASS") || cause.contains("NOPERM")
                || cause.contains("invalid password") || cause.contains("invalid username-password");
    }

    /** The innermost cause's message on one line, e.g. "Connection refused: /127.0.0.1:7000". */
    public static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
