package io.warmer.logging;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one line of {@link KeyValueEncoder} output back into its fields, as a log collector would, so that tests
 * check what a reader gets rather than the bytes. Strict: anything but {@code key=value} pairs separated by one
 * space fails.
 */
final class Logfmt {

    private Logfmt() {
    }

    /** The fields in order; a bare {@code null} value becomes null. */
    static Map<String, String> parse(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        int at = 0;
        while (at < line.length()) {
            int equals = line.indexOf('=', at);
            if (equals <= at) {
                throw new IllegalArgumentException("no key=value at " + at + " of: " + line);
            }
            String key = line.substring(at, equals);
            if (!key.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("bad key '" + key + "' in: " + line);
            }
            at = equals + 1;
            String value;
            if (at < line.length() && line.charAt(at) == '"') {
                StringBuilder text = new StringBuilder();
                at++;
                while (true) {
                    if (at >= line.length()) {
                        throw new IllegalArgumentException("unterminated quote for " + key + " in: " + line);
                    }
                    char c = line.charAt(at++);
                    if (c == '"') {
                        break;
                    }
                    if (c != '\\') {
                        text.append(c);
                        continue;
                    }
                    char escaped = line.charAt(at++);
                    switch (escaped) {
                        case 'n' -> text.append('\n');
                        case 'r' -> text.append('\r');
                        case 't' -> text.append('\t');
                        case '"', '\\' -> text.append(escaped);
                        case 'u' -> {
                            text.append((char) Integer.parseInt(line.substring(at, at + 4), 16));
                            at += 4;
                        }
                        default -> throw new IllegalArgumentException("bad escape \\" + escaped + " in: " + line);
                    }
                }
                value = text.toString();
            } else {
                int end = line.indexOf(' ', at);
                end = end < 0 ? line.length() : end;
                String bare = line.substring(at, end);
                value = bare.equals("null") ? null : bare;
                at = end;
            }
            if (fields.containsKey(key)) {
                throw new IllegalArgumentException("duplicate key " + key + " in: " + line);
            }
            fields.put(key, value);
            if (at < line.length()) {
                if (line.charAt(at) != ' ') {
                    throw new IllegalArgumentException("expected a space at " + at + " of: " + line);
                }
                at++;
            }
        }
        return fields;
    }
}
