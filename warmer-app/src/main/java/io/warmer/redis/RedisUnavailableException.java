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
        if (tls(failure)) {
            return new RedisUnavailableException(where + " and Warmer could not agree on TLS (" + cause + "); check"
                    + " redis.tls.ca-cert (the CA that signed the server's certificate), redis.tls.cert and key when"
                    + " the server requires client certificates, and that redis.uri is rediss:// on the TLS port.",
                    failure);
        }
        if (cause.contains("NOPERM")) {
            return new RedisUnavailableException(where + " refused a command to Warmer's ACL user (" + cause
                    + "); grant the user the ACL rules listed in README (Production: Redis ACL).", failure);
        }
        if (failure instanceof RedisConnectionException && !refusal(cause)) {
            return new RedisUnavailableException("Cannot reach " + where + ": " + cause
                    + "; check that Redis is running and that redis.uri (and redis.mode) are right.", failure);
        }
        return new RedisUnavailableException(where + " refused Warmer: " + cause
                + "; check redis.user and the password in the variable redis.password-env names.", failure);
    }

    private static boolean tls(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof javax.net.ssl.SSLException || e instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        return false;
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
