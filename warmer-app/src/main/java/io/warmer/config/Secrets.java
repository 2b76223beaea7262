package io.warmer.config;

/**
 * What a configuration names outside its own file, looked up on this machine once when it is loaded: secrets given
 * by the environment variable that holds them ({@code password-env}), and the files it points at (certificates,
 * key stores). {@link ConfigLoader} has one that fails on the first problem and one that only notes missing secrets.
 */
interface Secrets {

    /**
     * @param field  the full path of the {@code -env} field, e.g. {@code kafka.security.sasl.password-env}
     * @param inline the secret written in the file, or null
     * @param env    the name of the variable that holds it, or null
     * @return the secret, or null when neither is given
     * @throws InvalidFieldException naming {@code field} when the variable is not set (when loading)
     */
    String secret(String field, String inline, String env);

    /**
     * @param field the full path of the field naming the file
     * @param path  the file, or null when none is named
     * @throws InvalidFieldException naming {@code field} when the file cannot be read (when loading)
     */
    void readableFile(String field, String path);
}
