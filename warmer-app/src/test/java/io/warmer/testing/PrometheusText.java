package io.warmer.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every line must be
 * {@code # HELP <name> <text>}, {@code # TYPE <name> <type>} or a sample {@code name{label="value",...} value
 * [timestamp]}, with valid names, properly escaped label values and a number (or NaN, +Inf, -Inf) as value; the body
 * ends with a newline; a family is typed at most once, before its samples; no series appears twice. Anything else
 * fails with the line number and the line. An empty body is valid: nothing to report.
 */
public final class PrometheusText {

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusText(List<Sample> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    /** @throws IllegalArgumentException naming the first line that is not valid exposition format */
    public static PrometheusText parse(String body) {
        if (body.isEmpty()) {
            return new PrometheusText(List.of(), Map.of());
        }
        if (!body.endsWith("\n")) {
            throw new IllegalArgumentException("the body must end with a newline; it ends with: "
                    + body.substring(Math.max(0, body.length() - 80)));
        }
        String[] lines = body.substring(0, body.length() - 1).split("\n", -1);
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> sampled = new HashSet<>();
        Set<String> series = new HashSet<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            try {
                if (line.startsWith("# HELP ")) {
                    String name = firstWord(line.substring(7));
                    requireName(name);
                    if (!helped.add(name)) {
                        throw new IllegalArgumentException("second HELP for " + name);
                    }
                } else if (line.startsWith("# TYPE ")) {
                    String[] parts = line.substring(7).split(" ", -1);
                    if (parts.length != 2 || !TYPES.contains(parts[1])) {
                        throw new IllegalArgumentException("expected '# TYPE <name> <one of " + TYPES + ">'");
                    }
                    requireName(parts[0]);
                    if (types.put(parts[0], parts[1]) != null) {
                        throw new IllegalArgumentException("second TYPE for " + parts[0]);
                    }
                    if (sampled.contains(parts[0])) {
                        throw new IllegalArgumentException("TYPE for " + parts[0] + " after its samples");
                    }
                } else {
                    Sample sample = sample(line);
                    if (!series.add(sample.name() + sample.labels())) {
                        throw new IllegalArgumentException("the same series twice");
                    }
                    sampled.add(sample.name());
                    samples.add(sample);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not Prometheus text format ("
                        + e.getMessage() + "): " + line, e);
            }
        }
        return new PrometheusText(List.copyOf(samples), Map.copyOf(types));
    }

    private static String firstWord(String text) {
        int space = text.indexOf(' ');
        return space < 0 ? text : text.substring(0, space);
    }

    private static void requireName(String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a metric name");
        }
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        requireName(name);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("expected a space and a value after the name and labels");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length > 2 || (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches())) {
            throw new IllegalArgumentException("expected a value and at most a timestamp (integer milliseconds)");
        }
        return new Sample(name, Map.copyOf(labels), value(rest[0]));
    }

    /** Reads {@code name="value",...}} from {@code i}; returns the index after the closing brace. */
    private static int labels(String line, int i, Map<String, String> labels) {
        while (true) {
            if (i < line.length() && line.charAt(i) == '}') {
                return i + 1;
            }
            int equals = line.indexOf('=', i);
            if (equals < 0) {
                throw new IllegalArgumentException("a label without '='");
            }
            String label = line.substring(i, equals);
            if (!LABEL_NAME.matcher(label).matches()) {
                throw new IllegalArgumentException("'" + label + "' is not a label name");
            }
            i = equals + 1;
            if (i >= line.length() || line.charAt(i) != '"') {
                throw new IllegalArgumentException("the value of label " + label + " is not quoted");
            }
            StringBuilder value = new StringBuilder();
            i++;
            while (true) {
                if (i >= line.length()) {
                    throw new IllegalArgumentException("the value of label " + label + " is not closed");
                }
                char c = line.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    char escaped = i < line.length() ? line.charAt(i++) : ' ';
                    switch (escaped) {
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        case 'n' -> value.append('\n');
                        default -> throw new IllegalArgumentException("'\\" + escaped + "' in label " + label
                                + ": only \\\\, \\\" and \\n are escapes");
                    }
                } else {
                    value.append(c);
                }
            }
            if (labels.put(label, value.toString()) != null) {
                throw new IllegalArgumentException("label " + label + " twice");
            }
            if (i < line.length() && line.charAt(i) == ',') {
                i++;
            } else if (i >= line.length() || line.charAt(i) != '}') {
                throw new IllegalArgumentException("expected ',' or '}' after label " + label);
            }
        }
    }

    private static double value(String text) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!NUMBER.matcher(text).matches()) {
                    throw new IllegalArgumentException("'" + text + "' is not a number");
                }
                return Double.parseDouble(text);
        }
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The family's declared type ({@code counter}, {@code gauge}, {@code histogram}...), if declared. */
    public Optional<String> type(String family) {
        return Optional.ofNullable(types.get(family));
    }

    /** The value of the one sample named {@code name} with exactly these labels (name, value, name, value...). */
    public Optional<Double> value(String name, String... labels) {
        Map<String, String> wanted = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(wanted))
                .map(Sample::value).findFirst();
    }

    /** Whether any sample's name starts with {@code prefix}. */
    public boolean hasSeriesStartingWith(String prefix) {
        return samples.stream().anyMatch(s -> s.name().startsWith(prefix));
    }

    /** The samples named {@code name}, whatever their labels. */
    public List<Sample> named(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }
}
