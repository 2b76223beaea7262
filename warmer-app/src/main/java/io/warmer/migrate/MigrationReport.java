package io.warmer.migrate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What {@code migrate-keys} did, counted over every run of one migration: a run that resumed adds to the counts
 * of the runs before it.
 *
 * @param resumed  this run went on from the checkpoint of an interrupted one
 * @param matched  keys matching {@code from} that were looked at: copied + skipped + expired, or with a dry run the
 *                 keys found
 * @param copied   keys restored under their new name, with their remaining TTL
 * @param skipped  keys whose new name, or its fencing version key, already existed: the CDC path wrote (or deleted)
 *                 it, or an earlier run copied it; left untouched
 * @param expired  keys that expired, or were deleted, between SCAN and their copy
 * @param seconds  time spent, over every run
 * @param examples with a dry run, the first few keys found and their new names; otherwise empty
 */
public record MigrationReport(String from, String to, boolean dryRun, boolean resumed, long matched, long copied,
                              long skipped, long expired, double seconds, List<Example> examples) {

    /** A key and the name of its copy. */
    public record Example(String from, String to) {
    }

    /** Keys looked at per second. */
    @JsonProperty
    public double keysPerSecond() {
        return seconds > 0 ? matched / seconds : 0;
    }
}
