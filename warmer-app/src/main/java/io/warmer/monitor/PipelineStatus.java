package io.warmer.monitor;

import io.warmer.config.ReadyTargets;

import java.util.List;

/**
 * What {@code GET /api/status} answers and the status page shows: the whole pipeline of this process, per family.
 *
 * @param time        ISO-8601, as every time here
 * @param capture     {@code snapshotting}, {@code streaming}, or {@code not in this process} for a materializer
 * @param lastCheck   when readiness, lag and coverage were last measured; null before the first check
 * @param checkError  why the last check failed, or null; the figures are then those of the check before
 * @param unjudged    what readiness does not judge and why (values, without a database); null when it judges all
 * @param families    in configuration order
 * @param recentErrors the last warnings and errors this process logged, the newest first
 */
public record PipelineStatus(String applicationId, String time, double uptimeSeconds, boolean ready, Health health,
                             String capture, ReadyTargets targets, String lastCheck, String checkError,
                             String unjudged, List<FamilyStatus> families, List<RecentErrors.Entry> recentErrors) {

    /** One sample of a family's write rate: at {@code time} (epoch ms), writes per second since the sample before. */
    public record RatePoint(long time, double writesPerSecond) {
    }

    /**
     * One family.
     *
     * @param keys        the key templates it writes, the new format first
     * @param waitingFor  what it still waits for to be ready, in words; null once ready
     * @param coverage    share of the sampled rows' keys holding exactly what the database says; null before the first
     *                    check
     * @param checked     rows sampled for the coverage
     * @param missing     of those, rows with a key missing
     * @param stale       keys found holding another value after the pipeline passed their row's change
     * @param inFlight    keys that differ and are followed until the pipeline has passed their row's change
     * @param lag         change records not yet in the cache; null before the capture created the topics
     * @param written     values written (acknowledged by Redis) by this process since it started
     * @param fenced      of the writes, those refused as older than what Redis held
     * @param deadLettered changes this family set aside to the dead-letter topic since start
     * @param writesPerSecond over the last few seconds
     * @param history     writes per second over the last minutes, the oldest first
     */
    public record FamilyStatus(String name, List<String> keys, String table, FamilyStage stage, boolean ready,
                               String waitingFor, Double coverage, long checked, long missing, long stale,
                               long inFlight, Long lag, long written,
                               long deleted, long fenced, long deadLettered, double writesPerSecond,
                               List<RatePoint> history) {
    }
}
