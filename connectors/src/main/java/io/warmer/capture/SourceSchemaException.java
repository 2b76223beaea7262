package io.warmer.capture;

/**
 * The database is reachable but does not have what the configuration names: a table, a column, a
 * primary key. A configuration problem (fix the file or the schema), not an outage.
 */
public class SourceSchemaException extends CaptureException {
    public SourceSchemaException(String message) {
        super(message);
    }
}
