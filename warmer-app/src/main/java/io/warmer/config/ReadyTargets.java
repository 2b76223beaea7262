package io.warmer.config;

/**
 * When the keyspace counts as ready: {@code http.ready} for a running service, and {@code warmer warmup}'s
 * {@code --min-coverage}, {@code --max-lag} and {@code --sample}, validated alike.
 *
 * @param minCoverage share of sampled rows whose keys must hold exactly what the database says; {@link #DEFAULT_MIN_COVERAGE}
 * @param maxLag      change records a family may be behind; {@link #DEFAULT_MAX_LAG}: a live service is rarely at
 *                    lag 0 between two commits
 * @param sample      rows per family the coverage is measured on at each check; {@link #DEFAULT_SAMPLE}
 */
public record ReadyTargets(Double minCoverage, Long maxLag, Integer sample) {

    public static final double DEFAULT_MIN_COVERAGE = 0.999;
    public static final long DEFAULT_MAX_LAG = 1_000;
    public static final int DEFAULT_SAMPLE = 200;

    /** {@code http.ready} when the file does not set it. */
    public static final ReadyTargets DEFAULTS = new ReadyTargets(null, null, null);

    /**
     * What {@code warmer warmup} waits for unless told otherwise: stricter than a live service's readiness, since the
     * deploy it gates should find every change in Redis.
     */
    public static final ReadyTargets WARMUP_DEFAULTS = new ReadyTargets(0.999, 0L, 1_000);

    public ReadyTargets {
        minCoverage = minCoverage == null ? DEFAULT_MIN_COVERAGE : minCoverage;
        if (minCoverage < 0 || minCoverage > 1) {
            throw new InvalidFieldException("min-coverage", "found " + minCoverage + ", expected a share from 0 to 1");
        }
        maxLag = maxLag == null ? DEFAULT_MAX_LAG : maxLag;
        if (maxLag < 0) {
            throw new InvalidFieldException("max-lag", "found " + maxLag + ", expected 0 or more records");
        }
        sample = sample == null ? DEFAULT_SAMPLE : sample;
        if (sample < 1) {
            throw new InvalidFieldException("sample", "found " + sample + ", expected at least 1 row");
        }
    }

    /** These targets with some replaced; null keeps the value here. */
    public ReadyTargets with(Double otherMinCoverage, Long otherMaxLag, Integer otherSample) {
        return new ReadyTargets(otherMinCoverage == null ? minCoverage : otherMinCoverage,
                otherMaxLag == null ? maxLag : otherMaxLag, otherSample == null ? sample : otherSample);
    }
}
