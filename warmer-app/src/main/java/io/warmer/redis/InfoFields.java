package io.warmer.redis;

import java.util.Optional;

/** Reads one field of a Redis {@code INFO} answer: lines of {@code name:value} under {@code # Section} headings. */
public final class InfoFields {

    private InfoFields() {
    }

    /** The value of {@code name}, stripped; empty when the answer has no such line (a proxy may hide it). */
    public static Optional<String> field(String info, String name) {
        String prefix = name + ":";
        for (String line : info.split("\\R")) {
            if (line.startsWith(prefix)) {
                return Optional.of(line.substring(prefix.length()).strip());
            }
        }
        return Optional.empty();
    }
}
