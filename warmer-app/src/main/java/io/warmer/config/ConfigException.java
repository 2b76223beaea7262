package io.warmer.config;

/**
 * A configuration that cannot be used. The message names the file, the field path, what was found
 * and what was expected, so a person can fix it without reading code.
 */
public class ConfigException extends RuntimeException {

    private final String path;

    public ConfigException(String source, String path, String problem) {
        super(source + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
        this.path = path;
    }

    /** The field path, e.g. {@code families[0].key}; empty for the document as a whole. */
    public String path() {
        return path;
    }
}
