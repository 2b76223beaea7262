package io.warmer.backfill;

import io.warmer.config.FamilyConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What decides a family's keys and values, as a short hash: the table, the key templates, the filter, the value's
 * shape (with a set's member and score) and the joins. Expiry and fencing are left out: changing them changes no value already written.
 */
public final class FamilyFingerprint {

    private FamilyFingerprint() {
    }

    public static String of(FamilyConfig family) {
        String canonical = String.join("\n", family.table().qualified(), family.key().toString(),
                family.where().toString(), family.value().toString(), family.columns().toString(),
                family.fields().toString(), family.join().toString())
                // Only sets and sorted sets have them: every other family keeps the fingerprint it had.
                + (family.member() == null ? "" : "\nmember " + family.member())
                + (family.score() == null ? "" : "\nscore " + family.score());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
