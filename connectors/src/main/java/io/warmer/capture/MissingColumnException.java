package io.warmer.capture;

import io.warmer.change.TableId;
import java.util.List;

/**
 * A table lacks a column the configuration reads: it was dropped or renamed, or is misspelt. Carries the table and
 * column so that the configuration's side can name the families that read it.
 */
public final class MissingColumnException extends SourceSchemaException {

    private final TableId table;
    private final String column;
    private final List<String> present;

    public MissingColumnException(TableId table, String column, List<String> present) {
        super("Table " + table + " has no column '" + column + "' (it has " + String.join(", ", present)
                + "): fix the family that uses it.");
        this.table = table;
        this.column = column;
        this.present = List.copyOf(present);
    }

    public TableId table() {
        return table;
    }

    public String column() {
        return column;
    }

    /** The columns the table has. */
    public List<String> present() {
        return present;
    }
}
