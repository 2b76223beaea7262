package io.warmer.kafka;

import java.util.Optional;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * A cluster that answered but refused Warmer (credentials, certificate, permission), worded once as one line that
 * names the cluster and the setting to fix. Anything else is not a refusal, and callers word it themselves.
 */
public final class KafkaRefusal {

    private KafkaRefusal() {
    }

    /** @return the line for {@code failure} (or any of its causes), or empty when it is not a refusal */
    public static Optional<String> explain(KafkaClients kafka, Throwable failure) {
        return explain(kafka.where(), failure);
    }

    /** @param where how to name the cluster, e.g. "Kafka" where the caller does not know its address */
    public static Optional<String> explain(String where, Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            String line = explainOne(where, cause);
            if (line != null) {
                return Optional.of(line);
            }
        }
        return Optional.empty();
    }

    private static String explainOne(String where, Throwable cause) {
        String message = cause.getMessage() == null ? "" : cause.getMessage().replaceAll("\\s*\\R\\s*", " ").strip();
        if (cause instanceof SslAuthenticationException) {
            return where + " and Warmer could not agree on TLS (" + message + "); check kafka.security.trust-store"
                    + " (the CA that signed the brokers' certificates), kafka.security.key-store when the brokers"
                    + " require client certificates, and that kafka.bootstrap-servers names the TLS listener.";
        }
        if (cause instanceof SaslAuthenticationException) {
            return where + " rejected Warmer's credentials (" + message + "); check kafka.security.sasl: the"
                    + " mechanism, the username and the password in the variable its password-env names.";
        }
        if (cause instanceof TopicAuthorizationException topics) {
            return where + " denied Warmer access to topic(s) " + topics.unauthorizedTopics() + " (" + message
                    + "); grant Warmer's principal the topic ACLs listed in README (Production: Kafka ACLs).";
        }
        if (cause instanceof GroupAuthorizationException group) {
            return where + " denied Warmer the consumer group '" + group.groupId() + "' (" + message
                    + "); grant Warmer's principal READ on group '" + group.groupId() + "' (README: Kafka ACLs).";
        }
        if (cause instanceof ClusterAuthorizationException || cause instanceof TransactionalIdAuthorizationException
                || cause instanceof AuthorizationException) {
            return where + " denied Warmer an operation (" + message + "); grant Warmer's principal the ACLs"
                    + " listed in README (Production: Kafka ACLs).";
        }
        return null;
    }
}
