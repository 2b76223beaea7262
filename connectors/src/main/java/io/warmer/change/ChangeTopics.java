package io.warmer.change;

/** Where the changes of a table are published: one compacted topic per table. */
public final class ChangeTopics {

    private ChangeTopics() {
    }

    /** {@code <prefix>.<schema>.<table>}, the name Debezium routes a table's changes to. */
    public static String topicFor(String topicPrefix, TableId table) {
        return topicPrefix + "." + table.schema() + "." + table.table();
    }

    /** Where the capture engine keeps its source offsets. */
    public static String offsetTopic(String topicPrefix) {
        return topicPrefix + ".capture-offsets";
    }

    /** Where each table's snapshot progress is kept (compacted, keyed by the table). */
    public static String snapshotTopic(String topicPrefix) {
        return topicPrefix + ".snapshots";
    }

    /** Where records that cannot be materialized go, with the reason in their headers. */
    public static String deadLetterTopic(String topicPrefix) {
        return topicPrefix + ".dead-letter";
    }
}
