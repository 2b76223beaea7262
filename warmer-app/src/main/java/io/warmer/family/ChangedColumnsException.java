package io.warmer.family;

import java.util.ArrayList;
import java.util.List;

/**
 * Columns a family names changed under it: a change lacks them (dropped or renamed since the family was configured)
 * or their type changed while the capture ran. The family writes no value from such a change; its keys of the row
 * are deleted instead, until the configuration is fixed and Warmer restarted.
 */
public final class ChangedColumnsException extends UnrenderableRowException {

    private final String family;
    private final String table;
    private final List<String> missing;
    private final List<String> retyped;

    /**
     * @param missing columns the family names that the row does not have
     * @param retyped columns the family names whose type changed while the capture ran
     */
    public ChangedColumnsException(String family, String table, List<String> missing, List<String> retyped) {
        super(describe(family, table, missing, retyped));
        this.family = family;
        this.table = table;
        this.missing = List.copyOf(missing);
        this.retyped = List.copyOf(retyped);
    }

    /** What to tell when a streamed change shows the columns changed: what changed, and what to do. */
    public String streamingReason() {
        return describe(family, table, missing, retyped) + ": fix the family's columns, fields, key, where or"
                + " ttl-column if needed and restart Warmer; meanwhile its keys of changed rows are deleted";
    }

    private static String describe(String family, String table, List<String> missing, List<String> retyped) {
        List<String> parts = new ArrayList<>();
        if (!missing.isEmpty()) {
            parts.add(columns(missing, table) + (missing.size() == 1 ? " is" : " are")
                    + " not in its changes any more (dropped or renamed?)");
        }
        if (!retyped.isEmpty()) {
            parts.add(columns(retyped, table) + (retyped.size() == 1 ? " changed its type" : " changed their type"));
        }
        return String.join(" and ", parts) + ", and family " + family + " reads "
                + (missing.size() + retyped.size() == 1 ? "it" : "them");
    }

    private static String columns(List<String> columns, String table) {
        return (columns.size() == 1 ? "column '" + columns.get(0) + "'" : "columns " + columns) + " of " + table;
    }

    public String family() {
        return family;
    }

    /** The columns that changed: the missing ones, then the retyped ones. */
    public List<String> columns() {
        List<String> all = new ArrayList<>(missing);
        all.addAll(retyped);
        return all;
    }
}
