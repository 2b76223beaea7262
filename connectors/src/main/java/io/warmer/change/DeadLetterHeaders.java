package io.warmer.change;

/**
 * Headers of a record on the dead-letter topic, whether the capture or the materializer set it
 * aside: where it came from and why. The key and value are the original record's.
 */
public final class DeadLetterHeaders {

    public static final String REASON = "warmer.reason";
    /** The source table, {@code schema.table}. */
    public static final String TABLE = "warmer.table";
    public static final String FAMILY = "warmer.family";
    public static final String SOURCE_TOPIC = "warmer.source.topic";
    public static final String SOURCE_PARTITION = "warmer.source.partition";
    public static final String SOURCE_OFFSET = "warmer.source.offset";

    private DeadLetterHeaders() {
    }
}
