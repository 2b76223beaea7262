package io.warmer.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a suite run found: raw {@code result <name> <value>} lines, printed as they are measured (so an
 * interrupted run still shows what it had), and one table row per goal, printed at the end.
 */
final class Results {

    /** A goal's verdict. */
    enum Met {
        YES("yes"), NO("no"), NONE("—");

        final String text;

        Met(String text) {
            this.text = text;
        }

        static Met of(boolean met) {
            return met ? YES : NO;
        }
    }

    /** One line of the table. */
    record Row(String workload, String figure, String reference, String ratio, String goal, Met met) {
    }

    private final PrintWriter out;
    private final List<Row> rows = new ArrayList<>();

    Results(PrintWriter out) {
        this.out = out;
    }

    /** A raw figure, e.g. {@code result w1_rows_per_second 27704}. */
    void result(String name, double value) {
        out.println("result " + name + " " + number(value));
        out.flush();
    }

    /** A free-form line of what the suite is doing, for the reader of a long run. */
    void note(String format, Object... args) {
        out.println("# " + String.format(Locale.ROOT, format, args));
        out.flush();
    }

    void row(String workload, String figure, String reference, String ratio, String goal, Met met) {
        rows.add(new Row(workload, figure, reference, ratio, goal, met));
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The table as Markdown, so that it can go into docs/benchmarks.md as printed. */
    void printTable() {
        out.println();
        out.println("| workload | figure | ceiling / reference | ratio | goal | met? |");
        out.println("|---|---:|---:|---:|---|:---:|");
        for (Row r : rows) {
            out.printf("| %s | %s | %s | %s | %s | %s |%n", r.workload(), r.figure(), r.reference(), r.ratio(), r.goal(),
                    r.met().text);
        }
        out.flush();
    }

    /** 1234567 as {@code 1234567}, 12.345 as {@code 12.35}: raw lines are for scripts. */
    static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.2f", value);
    }

    /** 1234567 as {@code 1,234,567}, for the table. */
    static String grouped(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    static String ratio(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
