package io.warmer.backfill;

import io.warmer.config.FamilyConfig;
import io.warmer.config.JoinConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What decides a family's keys and values, as a short hash: the table, the key templates, the filter, the value's
 * shape (with a set's member, score and cap) and the joins. Expiry and fencing are left out: changing them changes no value already written.
 */
public final class FamilyFingerprint {

    private FamilyFingerprint() {
    }

    /**
     * A join as its fingerprint has always spelt it (the record's text before {@code flatten} existed), so that a
     * family's fingerprint does not change with an upgrade and fill it again; a flattened join says so.
     */
    private static String canonical(JoinConfig join) {
        return "JoinConfig[table=" + join.table() + ", on=" + join.on() + ", as=" + join.as() + ", columns="
                + join.columns() + ", many=" + join.many() + "]" + (join.flatten() ? " flattened" : "")
                + (join.lookup().isEmpty() ? "" : " lookup " + join.lookup())
                + (join.match().isEmpty() ? "" : " match " + join.match())
                + (join.join().isEmpty() ? "" : " joins " + join.join().stream().map(FamilyFingerprint::canonical).toList());
    }

    public static String of(FamilyConfig family) {
        String canonical = String.join("\n", family.table().qualified(), family.key().toString(),
                family.where().toString(), family.value().toString(), family.columns().toString(),
                family.fields().toString(), family.join().stream().map(FamilyFingerprint::canonical).toList().toString())
                // Only sets and sorted sets have them: every other family keeps the fingerprint it had.
                + (family.member() == null ? "" : "\nmember " + family.member())
                + (family.score() == null ? "" : "\nscore " + family.score())
                + (family.cap() == null ? "" : "\ncap " + family.cap())
                + (family.valueOf() == null ? "" : "\nvalue-of " + family.valueOf());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
