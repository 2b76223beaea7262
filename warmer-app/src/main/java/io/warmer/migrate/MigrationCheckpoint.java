package io.warmer.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.warmer.change.RowChangeCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Where an interrupted migration goes on from: the node being scanned, its SCAN cursor and the counts so far,
 * stored in Redis as JSON after every acknowledged batch under a key of its own mapping
 * ({@code warmer:migrate:{<hash of from and to>}}), and deleted when the migration is done.
 *
 * @param node   the node to scan next, see {@link RedisKeyspace#nodes()}
 * @param cursor that node's SCAN cursor ("0": from its start)
 */
public record MigrationCheckpoint(String from, String to, String node, String cursor, long copied, long skipped, long expired,
                           double seconds) {

    static final String KEY_PREFIX = "warmer:migrate:";

    /** Long enough for any pause between a stopped run and its resumption; an abandoned one does not stay forever. */
    static final Duration TTL = Duration.ofDays(7);

    /** The checkpoint key of {@code mapping}'s migration. */
    public static String keyOf(KeyMapping mapping) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((mapping.from() + "\n" + mapping.to()).getBytes(StandardCharsets.UTF_8));
            return KEY_PREFIX + "{" + HexFormat.of().formatHex(hash, 0, 8) + "}";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    byte[] toJson() {
        try {
            return RowChangeCodec.json().writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a checkpoint as JSON", e);
        }
    }

    /** @throws IllegalStateException naming the key when it holds something else than a checkpoint */
    static MigrationCheckpoint fromJson(String key, byte[] json) {
        try {
            return RowChangeCodec.json().readValue(json, MigrationCheckpoint.class);
        } catch (IOException e) {
            throw new IllegalStateException("Redis key " + key + " should hold a migrate-keys checkpoint but holds"
                    + " something else (" + e.getMessage() + "); run with --restart to start over", e);
        }
    }
}
