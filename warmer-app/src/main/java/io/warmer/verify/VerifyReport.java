package io.warmer.verify;

import java.util.List;

/** What {@link CacheVerifier} found, per family. */
public record VerifyReport(List<Family> families) {

    /**
     * @param expected  keys the checked rows should have
     * @param exact     of those, keys holding exactly what the family would write now
     * @param stale     keys holding something else, and keys that exist although their row has none
     * @param extra     keys under the family's patterns that no row accounts for; null when not looked for
     *                  (only a full check scans the keyspace)
     * @param staleKeys the stale keys with what the database says they should hold, for a second look (at most
     *                  {@link CacheVerifier#SUSPECTS} of them)
     * @param broken    why the family cannot render the table's rows as they are now (a column it reads is gone);
     *                  null when it can. The pipeline deletes such rows' keys, and so they are expected absent
     */
    public record Family(String name, long checked, long expected, long exact, long missing, long stale, Long extra,
                         List<String> missingExamples, List<String> staleExamples, List<String> extraExamples,
                         List<StaleKey> staleKeys, String broken) {

        public Family {
            staleKeys = staleKeys == null ? List.of() : List.copyOf(staleKeys);
        }

        public boolean drifted() {
            return missing > 0 || stale > 0 || (extra != null && extra > 0);
        }

        /** Share of the expected keys that hold exactly what the family would write now (1 when none is expected). */
        public double coverage() {
            return expected == 0 ? 1 : (double) exact / expected;
        }
    }

    /**
     * A key whose value differs from what the database says.
     *
     * @param primaryKey the row's primary key, to read it again
     * @param expected   the write that puts what the key should hold; null when it should not exist
     */
    public record StaleKey(String key, com.fasterxml.jackson.databind.node.ObjectNode primaryKey,
                           io.warmer.family.CacheWrite expected) {
    }

    public boolean drifted() {
        return families.stream().anyMatch(Family::drifted);
    }
}
