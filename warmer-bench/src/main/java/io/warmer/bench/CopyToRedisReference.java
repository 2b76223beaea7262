package io.warmer.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * The first reference W1 is compared with, in a JVM of its own: the fastest loader without CDC a team would write by
 * hand. One {@code COPY (SELECT id, row_to_json(u) FROM users u) TO STDOUT}, each row straight into a pipelined
 * {@code SET <prefix>:user:<id> <json> EX 3600} ({@link PipelinedSet}). It exits once Redis acknowledged every
 * SET, so that its JVM's lifetime is the time to a warm cache, as W1's is timed.
 *
 * <p>Arguments: JDBC URL, user, Redis URI, key prefix; the password in {@link BenchConfig#PASSWORD_ENV}.
 */
public final class CopyToRedisReference {

    private CopyToRedisReference() {
    }

    public static void main(String[] args) throws Exception {
        String prefix = args[3] + ":user:";
        long rows = 0;
        try (Connection db = DriverManager.getConnection(args[0], args[1], System.getenv(BenchConfig.PASSWORD_ENV));
             PipelinedSet redis = new PipelinedSet(args[2], Duration.ofHours(1))) {
            CopyOut copy = db.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("COPY (SELECT id, row_to_json(u) FROM " + UsersTable.TABLE + " u) TO STDOUT");
            byte[] line;
            while ((line = copy.readFromCopy()) != null) {
                String row = new String(line, StandardCharsets.UTF_8);
                int tab = row.indexOf('\t');
                redis.set(prefix + row.substring(0, tab), unescape(row, tab + 1));
                rows++;
            }
        }
        System.out.println("rows " + rows);
    }

    /**
     * COPY's text format, from {@code from} to the end of the line: a backslash escapes the character after it
     * ({@code \\}, {@code \t}, {@code \n}, {@code \r}). JSON text holds no raw control characters, so only
     * {@code \\} occurs in practice, where the JSON escapes a quote or a backslash.
     */
    static String unescape(String row, int from) {
        int end = row.endsWith("\n") ? row.length() - 1 : row.length();
        int backslash = row.indexOf('\\', from);
        if (backslash < 0 || backslash >= end) {
            return row.substring(from, end);
        }
        StringBuilder out = new StringBuilder(end - from);
        for (int i = from; i < end; i++) {
            char c = row.charAt(i);
            if (c == '\\' && i + 1 < end) {
                char next = row.charAt(++i);
                out.append(switch (next) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> next;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
