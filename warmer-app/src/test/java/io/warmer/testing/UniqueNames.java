package io.warmer.testing;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names that no other test, test run or earlier run against the same servers has used: shared servers keep
 * databases, topics, keys and replication slots around, so every test builds its names from here.
 */
public final class UniqueNames {

    // PostgreSQL truncates identifiers (and slot names) at 63 bytes; keep the caller's base recognisable within that.
    private static final int MAX_BASE_LENGTH = 40;
    private static final String RUN_ID = randomRunId();
    private static final AtomicLong COUNTER = new AtomicLong();

    private UniqueNames() {
    }

    /** {@code base} reduced to [a-z0-9_], then a per-run id and a counter, e.g. {@code orders_k3f9x2_7}. */
    public static String next(String base) {
        String cleaned = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (cleaned.isEmpty() || !Character.isLetter(cleaned.charAt(0))) {
            // Unquoted SQL identifiers and slot names read best when they start with a letter.
            cleaned = "t_" + cleaned;
        }
        if (cleaned.length() > MAX_BASE_LENGTH) {
            cleaned = cleaned.substring(0, MAX_BASE_LENGTH);
        }
        return cleaned + "_" + RUN_ID + "_" + COUNTER.incrementAndGet();
    }

    private static String randomRunId() {
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            id.append(Character.forDigit(random.nextInt(36), 36));
        }
        return id.toString();
    }
}
