package io.warmer.service;

/**
 * What one Warmer process does. Capture holds the replication slot, so one process captures while
 * any number materialize, sharing the change topics' partitions.
 */
public enum Role {
    /** Capture and materialize in one process: the simplest deployment. */
    ALL("all"),
    /** Only capture PostgreSQL changes into Kafka (one such process per slot). */
    CAPTURE("capture"),
    /** Only materialize the change topics into Redis (scale out with more such processes). */
    MATERIALIZE("materialize");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    public boolean captures() {
        return this != MATERIALIZE;
    }

    public boolean materializes() {
        return this != CAPTURE;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
