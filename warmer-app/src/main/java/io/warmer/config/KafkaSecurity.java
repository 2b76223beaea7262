package io.warmer.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code kafka.security}: how Warmer's clients authenticate to the brokers and protect the connection. Every client
 * Warmer creates (producers, consumers, admin clients, Kafka Streams and the capture engine's offset store) connects
 * with these settings. Secrets are given by the environment variable that holds them.
 *
 * @param protocol   {@code security.protocol}; {@link Protocol#PLAINTEXT} when absent
 * @param sasl       the SASL mechanism and credentials; required with SASL_PLAINTEXT and SASL_SSL
 * @param trustStore the CA certificate(s) the brokers' certificates are checked against; the JVM's default trust
 *                   store when absent
 * @param keyStore   Warmer's client certificate and key, for brokers that require mutual TLS
 */
public record KafkaSecurity(Protocol protocol, Sasl sasl, Store trustStore, Store keyStore) {

    public static final KafkaSecurity NONE = new KafkaSecurity(null, null, null, null);

    /** {@code kafka.security.protocol}: Kafka's {@code security.protocol}. */
    public enum Protocol {
        PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL;

        boolean sasl() {
            return this == SASL_PLAINTEXT || this == SASL_SSL;
        }

        boolean tls() {
            return this == SSL || this == SASL_SSL;
        }

        @JsonCreator
        public static Protocol fromWireName(String text) {
            for (Protocol protocol : values()) {
                if (protocol.name().equals(text)) {
                    return protocol;
                }
            }
            throw new IllegalArgumentException("found '" + text + "', expected one of: "
                    + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    /** {@code kafka.security.sasl.mechanism}: Kafka's {@code sasl.mechanism}. */
    public enum Mechanism {
        PLAIN("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule"),
        SCRAM_SHA_256("SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule"),
        SCRAM_SHA_512("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule"),
        /** OAuth 2: the login module and its options come from {@code jaas-config-env}. */
        OAUTHBEARER("OAUTHBEARER", null),
        /** Kerberos: the login module and its options come from {@code jaas-config-env}. */
        GSSAPI("GSSAPI", null);

        private final String wireName;
        /** The login module for a username and a password; null when the mechanism takes no such pair. */
        private final String passwordLoginModule;

        Mechanism(String wireName, String passwordLoginModule) {
            this.wireName = wireName;
            this.passwordLoginModule = passwordLoginModule;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }

        @JsonCreator
        public static Mechanism fromWireName(String text) {
            for (Mechanism mechanism : values()) {
                if (mechanism.wireName.equals(text)) {
                    return mechanism;
                }
            }
            throw new IllegalArgumentException("found '" + text + "', expected one of: "
                    + Arrays.stream(values()).map(Mechanism::wireName).collect(Collectors.joining(", ")));
        }
    }

    /**
     * {@code kafka.security.sasl}: either a username and password (PLAIN, SCRAM), or a whole JAAS configuration
     * (any mechanism; required for OAUTHBEARER and GSSAPI).
     *
     * @param password      prefer {@code passwordEnv}, so that no secret sits in the file
     * @param passwordEnv   the environment variable holding the password
     * @param jaasConfig    Kafka's {@code sasl.jaas.config}; prefer {@code jaasConfigEnv}
     * @param jaasConfigEnv the environment variable holding it
     */
    public record Sasl(Mechanism mechanism, String username, String password, String passwordEnv, String jaasConfig,
                       String jaasConfigEnv) {

        public Sasl {
            InvalidFieldException.require(mechanism, "mechanism", "SCRAM-SHA-512");
            oneOf(password, passwordEnv, "password-env", "password");
            oneOf(jaasConfig, jaasConfigEnv, "jaas-config-env", "jaas-config");
            boolean jaas = jaasConfig != null || jaasConfigEnv != null;
            boolean credentials = username != null || password != null || passwordEnv != null;
            if (jaas && credentials) {
                throw new InvalidFieldException("jaas-config-env", "found both a JAAS configuration and a username"
                        + " or password, expected one of them");
            }
            if (!jaas) {
                if (mechanism.passwordLoginModule == null) {
                    throw new InvalidFieldException("jaas-config-env", "is required with mechanism "
                            + mechanism.wireName() + ", which takes no username and password; e.g. WARMER_KAFKA_JAAS");
                }
                InvalidFieldException.require(username, "username", "warmer");
                if (password == null && passwordEnv == null) {
                    throw new InvalidFieldException("password-env", "is required with a username, e.g. WARMER_KAFKA_PASSWORD");
                }
            }
        }

        Sasl resolve(Secrets secrets, String at) {
            return new Sasl(mechanism, username, secrets.secret(at + ".password-env", password, passwordEnv), null,
                    secrets.secret(at + ".jaas-config-env", jaasConfig, jaasConfigEnv), null);
        }

        /** {@code sasl.jaas.config}: the one given, or the mechanism's login module with the username and password. */
        String jaas() {
            if (jaasConfig != null || jaasConfigEnv != null) {
                return jaasConfig;
            }
            return mechanism.passwordLoginModule + " required username=\"" + quoted(username) + "\" password=\""
                    + quoted(password) + "\";";
        }

        private static String quoted(String value) {
            return value == null ? "" : value.replace("\\", "\\\\").replace("\"", "\\\"");
        }

        @Override
        public String toString() {
            return "Sasl[mechanism=" + mechanism.wireName() + (username == null ? ", jaas-config=****"
                    : ", username=" + username + ", password=****") + "]";
        }
    }

    /** A trust store or key store file's format: Kafka's {@code ssl.truststore.type} / {@code ssl.keystore.type}. */
    public enum StoreType {
        PKCS12, JKS, PEM;

        @JsonCreator
        public static StoreType fromWireName(String text) {
            for (StoreType type : values()) {
                if (type.name().equalsIgnoreCase(text)) {
                    return type;
                }
            }
            throw new IllegalArgumentException("found '" + text + "', expected one of: "
                    + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
        }

        /** What a file's name says it is: .pem/.crt PEM, .jks JKS, anything else PKCS12. */
        static StoreType of(String location) {
            String name = location.toLowerCase(Locale.ROOT);
            return name.endsWith(".pem") || name.endsWith(".crt") ? PEM : name.endsWith(".jks") ? JKS : PKCS12;
        }
    }

    /**
     * {@code kafka.security.trust-store} or {@code key-store}: a file and how to open it.
     *
     * @param type        from the file's name when absent: .pem/.crt PEM, .jks JKS, otherwise PKCS12
     * @param passwordEnv the environment variable holding the store's password (PKCS12, JKS)
     * @param keyPasswordEnv the variable holding the private key's password, when it differs (key store only)
     */
    public record Store(String location, StoreType type, String password, String passwordEnv, String keyPassword,
                        String keyPasswordEnv) {

        public Store {
            InvalidFieldException.require(location, "location", "/etc/warmer/kafka-ca.pem");
            type = type == null ? StoreType.of(location) : type;
            oneOf(password, passwordEnv, "password-env", "password");
            oneOf(keyPassword, keyPasswordEnv, "key-password-env", "key-password");
        }

        Store resolve(Secrets secrets, String at) {
            secrets.readableFile(at + ".location", location);
            return new Store(location, type, secrets.secret(at + ".password-env", password, passwordEnv), null,
                    secrets.secret(at + ".key-password-env", keyPassword, keyPasswordEnv), null);
        }

        @Override
        public String toString() {
            return "Store[" + location + ", " + type + (password == null && passwordEnv == null ? "" : ", password=****")
                    + "]";
        }
    }

    public KafkaSecurity {
        protocol = protocol == null ? Protocol.PLAINTEXT : protocol;
        if (protocol.sasl() && sasl == null) {
            throw InvalidFieldException.missing("sasl", "{mechanism: SCRAM-SHA-512, username: warmer, password-env:"
                    + " WARMER_KAFKA_PASSWORD}");
        }
        if (!protocol.sasl() && sasl != null) {
            throw new InvalidFieldException("sasl", "found SASL settings with protocol " + protocol
                    + ", expected protocol SASL_SSL (or SASL_PLAINTEXT)");
        }
        if (!protocol.tls() && (trustStore != null || keyStore != null)) {
            throw new InvalidFieldException(trustStore != null ? "trust-store" : "key-store", "found a TLS store"
                    + " with protocol " + protocol + ", expected protocol SSL or SASL_SSL");
        }
        if (trustStore != null && (trustStore.keyPassword() != null || trustStore.keyPasswordEnv() != null)) {
            throw new InvalidFieldException("trust-store.key-password-env", "found a key password for a trust store,"
                    + " which holds no private key; expected it under key-store");
        }
    }

    /** These settings with their secrets looked up, once, by {@link ConfigLoader}. */
    KafkaSecurity resolve(Secrets secrets) {
        String at = "kafka.security";
        return new KafkaSecurity(protocol, sasl == null ? null : sasl.resolve(secrets, at + ".sasl"),
                trustStore == null ? null : trustStore.resolve(secrets, at + ".trust-store"),
                keyStore == null ? null : keyStore.resolve(secrets, at + ".key-store"));
    }

    /** The Kafka client properties these settings amount to, secrets included: only for clients, never printed. */
    Map<String, String> clientProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", protocol.name());
        if (sasl != null) {
            p.put("sasl.mechanism", sasl.mechanism().wireName());
            putIfSet(p, "sasl.jaas.config", sasl.jaas());
        }
        if (trustStore != null) {
            p.put("ssl.truststore.location", trustStore.location());
            p.put("ssl.truststore.type", trustStore.type().name());
            putIfSet(p, "ssl.truststore.password", trustStore.password());
        }
        if (keyStore != null) {
            p.put("ssl.keystore.location", keyStore.location());
            p.put("ssl.keystore.type", keyStore.type().name());
            putIfSet(p, "ssl.keystore.password", keyStore.password());
            putIfSet(p, "ssl.key.password", keyStore.keyPassword());
        }
        return p;
    }

    /** The properties {@code kafka.properties} may not set, because a field of this section sets them. */
    static final List<String> OWN_PROPERTIES = List.of("security.protocol", "sasl.mechanism", "sasl.jaas.config",
            "ssl.truststore.location", "ssl.truststore.type", "ssl.truststore.password", "ssl.keystore.location",
            "ssl.keystore.type", "ssl.keystore.password", "ssl.key.password");

    private static void putIfSet(Map<String, String> p, String key, String value) {
        if (value != null) {
            p.put(key, value);
        }
    }

    private static void oneOf(String inline, String env, String envField, String inlineField) {
        if (inline != null && env != null) {
            throw new InvalidFieldException(envField, "found both " + inlineField + " and " + envField
                    + ", expected one of them");
        }
    }
}
