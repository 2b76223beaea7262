package io.warmer.capture;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How connections to the source database use TLS: libpq's {@code sslmode} and the certificate files, applied alike
 * to every JDBC connection Warmer opens and to the capture engine's replication connection.
 *
 * @param mode     {@code sslmode}; null leaves the driver's default ({@code prefer})
 * @param rootCert the CA certificate(s) the server's certificate must be signed by (PEM), for verify-ca and
 *                 verify-full; null: the driver's default location
 * @param cert     Warmer's client certificate (PEM), when the server requires one
 * @param key      the client certificate's private key: PKCS-8 DER ({@code .pk8}) or PKCS-12 ({@code .p12})
 */
public record PostgresTls(Mode mode, String rootCert, String cert, String key) {

    /** No TLS settings: the driver's defaults. */
    public static final PostgresTls DRIVER_DEFAULTS = new PostgresTls(null, null, null, null);

    /** libpq's {@code sslmode}, from the weakest to the strictest. */
    public enum Mode {
        DISABLE("disable"), ALLOW("allow"), PREFER("prefer"), REQUIRE("require"), VERIFY_CA("verify-ca"),
        VERIFY_FULL("verify-full");

        private final String wireName;

        Mode(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /** @throws IllegalArgumentException listing the modes there are */
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

    /** The settings under the driver's property names ({@code sslmode}, {@code sslrootcert}, ...). */
    Map<String, String> jdbcProperties() {
        return named("");
    }

    /** The settings under the capture engine's names ({@code database.sslmode}, ...). */
    Map<String, String> engineProperties() {
        return named("database.");
    }

    private Map<String, String> named(String prefix) {
        Map<String, String> properties = new LinkedHashMap<>();
        if (mode != null) {
            properties.put(prefix + "sslmode", mode.wireName());
        }
        if (rootCert != null) {
            properties.put(prefix + "sslrootcert", rootCert);
        }
        if (cert != null) {
            properties.put(prefix + "sslcert", cert);
        }
        if (key != null) {
            properties.put(prefix + "sslkey", key);
        }
        return properties;
    }
}
