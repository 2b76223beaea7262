package io.warmer.change;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A control record the capture writes to every partition of a table's change topic once the table's snapshot is
 * complete, after the snapshot's last row in that partition: a materializer that reaches it has applied every row
 * of the snapshot in its partition, so what its stores hold with a version below {@link #startVersion} belongs to
 * no row any more (a row deleted while nothing captured it) and is removed. Told apart from changes by its
 * {@link #HEADER} header; its key is not a primary key.
 *
 * @param startVersion below the version of everything written for a row of the table since the snapshot began
 */
public record SnapshotMarker(String table, String snapshot, Version startVersion) {

    /** The header that marks a control record; its value says which ({@link #TYPE}). */
    public static final String HEADER = "warmer.control";
    public static final String TYPE = "snapshot-complete";

    public SnapshotMarker {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(startVersion, "startVersion");
    }

    /** The key of the marker on one partition (compaction keeps the latest per partition). */
    public static String keyFor(int partition) {
        return "warmer.snapshot-complete." + partition;
    }

    /** Whether a record with these headers is a control record rather than a change. */
    public static boolean isControl(Headers headers) {
        return headers != null && headers.lastHeader(HEADER) != null;
    }

    /** The marker a control record carries, or null when it is another kind of control record. */
    public static SnapshotMarker of(Headers headers, String value) {
        Header header = headers.lastHeader(HEADER);
        if (header == null || !TYPE.equals(new String(header.value(), StandardCharsets.UTF_8)) || value == null) {
            return null;
        }
        try {
            return RowChangeCodec.json().readValue(value, SnapshotMarker.class);
        } catch (JsonProcessingException e) {
            throw new MalformedChangeException("not a snapshot marker: " + e.getOriginalMessage(), e);
        }
    }

    public String toJson() {
        try {
            return RowChangeCodec.json().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a snapshot marker", e);
        }
    }

    public static byte[] headerValue() {
        return TYPE.getBytes(StandardCharsets.UTF_8);
    }
}
