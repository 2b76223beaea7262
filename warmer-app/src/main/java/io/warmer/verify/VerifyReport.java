package io.warmer.verify;

import java.util.List;

/** What {@link CacheVerifier} found, per family. */
public record VerifyReport(List<Family> families) {

    /**
     * @param expected keys the checked rows should have
     * @param extra keys under the family's patterns that no row accounts for; null when not looked for
     *              (only a full check scans the keyspace)
     */
    public record Family(String name, long checked, long expected, long missing, long stale, Long extra,
                         List<String> missingExamples, List<String> staleExamples, List<String> extraExamples) {

        public boolean drifted() {
            return missing > 0 || stale > 0 || (extra != null && extra > 0);
        }

        /** Share of the expected keys present (1 when no key is expected). */
        public double coverage() {
            return expected == 0 ? 1 : 1 - (double) missing / expected;
        }
    }

    public boolean drifted() {
        return families.stream().anyMatch(Family::drifted);
    }
}
