package io.warmer.migrate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How {@code migrate-keys} names a key's copy: a {@code --from} glob in which every {@code *} captures a part of
 * the key, and a {@code --to} template that puts the parts back as {@code ${1}}, {@code ${2}}, ... in order of
 * the stars: {@code user:*:session} and {@code v2:user:${1}:session} map {@code user:42:session} to
 * {@code v2:user:42:session}. Pure and checked when built, so that a wrong mapping fails before Redis is touched.
 */
public final class KeyMapping {

    /** Which of the two a {@link InvalidKeyMappingException} is about. */
    public enum Part {
        /** The glob of the keys to copy. */
        FROM,
        /** The template of their copies' names. */
        TO
    }

    /** Stands for "any text" in {@link #overlaps}: a {@code *} of {@code --from}, a capture of {@code --to}. */
    private static final int ANY = -1;

    private final String from;
    private final String to;
    /**
     * The glob as a regular expression and the template (literal text as String, captures as their 1-based
     * Integer), both over the UTF-8 bytes of keys viewed as ISO-8859-1, one char per byte: see {@link #byteView}.
     */
    private final Pattern source;
    private final List<Object> target;

    private KeyMapping(String from, String to, Pattern source, List<Object> target) {
        this.from = from;
        this.to = to;
        this.source = source;
        this.target = target;
    }

    /** @throws InvalidKeyMappingException naming the part, what was found and what is expected */
    public static KeyMapping of(String from, String to) {
        if (from.isEmpty()) {
            throw new InvalidKeyMappingException(Part.FROM, "found '', expected a key pattern such as 'user:*:session'");
        }
        for (char unsupported : new char[] {'?', '[', ']', '\\'}) {
            if (from.indexOf(unsupported) >= 0) {
                throw new InvalidKeyMappingException(Part.FROM, "found '" + unsupported + "' in '" + from
                        + "', expected a pattern whose only wildcard is * (each * is captured for --to as ${1}, ${2}, ...)");
            }
        }
        if (to.isEmpty()) {
            throw new InvalidKeyMappingException(Part.TO, "found '', expected a key template such as 'v2:user:${1}:session'");
        }
        int stars = (int) from.chars().filter(c -> c == '*').count();
        List<Object> target = parseTemplate(to, from, stars);
        if (inOrder(target) && render(target, capture -> "*").equals(from)) {
            throw new InvalidKeyMappingException(Part.TO, "'" + to + "' maps every key matching --from '" + from
                    + "' to itself; expected a new key format such as 'v2:" + templateOf(from) + "'");
        }
        if (overlaps(tokens(from), tokens(target))) {
            throw new InvalidKeyMappingException(Part.TO, "keys made by '" + to + "' can match --from '" + from
                    + "' too, so copies would be copied again; expected a template whose keys --from cannot match,"
                    + " e.g. with a prefix that --from does not start with");
        }
        StringBuilder regex = new StringBuilder();
        for (String literal : from.split("\\*", -1)) {
            regex.append(Pattern.quote(byteView(literal))).append("(.*?)");
        }
        regex.setLength(regex.length() - "(.*?)".length());
        List<Object> targetBytes = target.stream().map(part -> part instanceof String text ? byteView(text) : part).toList();
        return new KeyMapping(from, to, Pattern.compile(regex.toString(), Pattern.DOTALL), targetBytes);
    }

    /** The glob of the keys to copy, as SCAN MATCH takes it. */
    public String from() {
        return from;
    }

    /** The template of the copies' names. */
    public String to() {
        return to;
    }

    /**
     * The name of {@code key}'s copy, or null when {@code key} does not match {@link #from()}. When stars could
     * split a key in several ways, each star takes as little as it can, from the left.
     *
     * <p>Byte for byte, as Redis matches a glob: a key that is not UTF-8 text keeps its bytes in the copy's name.
     */
    public byte[] targetOf(byte[] key) {
        Matcher matcher = source.matcher(new String(key, StandardCharsets.ISO_8859_1));
        if (!matcher.matches()) {
            return null;
        }
        return render(target, matcher::group).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@link #targetOf(byte[])} of a key given as text, in UTF-8 as Redis clients send it. */
    public String targetOf(String key) {
        byte[] target = targetOf(key.getBytes(StandardCharsets.UTF_8));
        return target == null ? null : new String(target, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "'" + from + "' -> '" + to + "'";
    }

    private static List<Object> parseTemplate(String to, String from, int stars) {
        List<Object> parts = new ArrayList<>();
        BitSet used = new BitSet();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < to.length()) {
            if (!to.startsWith("${", i)) {
                literal.append(to.charAt(i++));
                continue;
            }
            int close = to.indexOf('}', i);
            String name = close < 0 ? to.substring(i) : to.substring(i + 2, close);
            if (close < 0 || !name.matches("[1-9][0-9]{0,8}")) {
                throw new InvalidKeyMappingException(Part.TO, "found '" + (close < 0 ? name : "${" + name + "}")
                        + "' in '" + to + "', expected ${1}, ${2}, ...: the text the first, second, ... * of --from matched");
            }
            int capture = Integer.parseInt(name);
            if (capture > stars) {
                throw new InvalidKeyMappingException(Part.TO, "found '${" + capture + "}' in '" + to + "', but --from '"
                        + from + "' has " + (stars == 0 ? "no *, so there is nothing to put there"
                        : stars + " * so it can use " + (stars == 1 ? "${1}" : "${1} to ${" + stars + "}") + " only"));
            }
            if (!literal.isEmpty()) {
                parts.add(literal.toString());
                literal.setLength(0);
            }
            parts.add(capture);
            used.set(capture);
            i = close + 1;
        }
        if (!literal.isEmpty()) {
            parts.add(literal.toString());
        }
        int unused = used.nextClearBit(1);
        if (unused <= stars) {
            // Keys differing only in that part would share one copy: one user's session under another's name.
            throw new InvalidKeyMappingException(Part.TO, "'" + to + "' does not use ${" + unused + "}, so keys of --from '"
                    + from + "' that differ only there would be copied to one key; expected every capture ${1} to ${"
                    + stars + "} in --to");
        }
        return parts;
    }

    /** {@code text}'s UTF-8 bytes, one char each: so a regex matches bytes, as a Redis glob does. */
    private static String byteView(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** {@code from} with its stars as ${1}, ${2}, ...: the template of the identity mapping, for messages. */
    private static String templateOf(String from) {
        StringBuilder template = new StringBuilder();
        int capture = 0;
        for (char c : from.toCharArray()) {
            template.append(c == '*' ? "${" + ++capture + "}" : String.valueOf(c));
        }
        return template.toString();
    }

    private interface Captures {
        String group(int capture);
    }

    private static String render(List<Object> parts, Captures captures) {
        StringBuilder key = new StringBuilder();
        for (Object part : parts) {
            key.append(part instanceof Integer capture ? captures.group(capture) : (String) part);
        }
        return key.toString();
    }

    /** Whether the captures appear once each, as ${1}, ${2}, … in order. */
    private static boolean inOrder(List<Object> parts) {
        int next = 1;
        for (Object part : parts) {
            if (part instanceof Integer capture && capture != next++) {
                return false;
            }
        }
        return true;
    }

    /** The characters of a glob, {@link #ANY} for each {@code *}. */
    private static int[] tokens(String glob) {
        return glob.chars().map(c -> c == '*' ? ANY : c).toArray();
    }

    /** The characters of a template, {@link #ANY} for each capture. */
    private static int[] tokens(List<Object> template) {
        return template.stream().flatMapToInt(part -> part instanceof Integer ? java.util.stream.IntStream.of(ANY)
                : ((String) part).chars()).toArray();
    }

    /**
     * Whether some key matches both patterns, each {@link #ANY} standing for any text: {@code can[i][j]} says
     * whether the rests {@code a[i..]} and {@code b[j..]} can spell the same text.
     */
    static boolean overlaps(int[] a, int[] b) {
        boolean[][] can = new boolean[a.length + 1][b.length + 1];
        for (int i = a.length; i >= 0; i--) {
            for (int j = b.length; j >= 0; j--) {
                if (i == a.length && j == b.length) {
                    can[i][j] = true;
                } else if (i < a.length && a[i] == ANY) {
                    // empty, or it also spells b's next character (or b's ANY: then it spells whatever that does)
                    can[i][j] = can[i + 1][j] || j < b.length && can[i][j + 1];
                } else if (j < b.length && b[j] == ANY) {
                    can[i][j] = can[i][j + 1] || i < a.length && can[i + 1][j];
                } else {
                    can[i][j] = i < a.length && j < b.length && a[i] == b[j] && can[i + 1][j + 1];
                }
            }
        }
        return can[0][0];
    }
}
