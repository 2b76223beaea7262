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
    record Row(String workload, String figure, String reference, String ratio, String goal, Met met,
               double otherCores) {
    }

    private final PrintWriter out;
    private final List<Row> rows = new ArrayList<>();
    private CpuMonitor monitor;
    private String phase;

    Results(PrintWriter out) {
        this.out = out;
    }

    /** From now on, rows and phases carry how busy the cores were with other work. */
    void watch(CpuMonitor cpu) {
        this.monitor = cpu;
    }

    /** Ends the current phase (printing its other work) and begins {@code name}, e.g. {@code W1}. */
    void phase(String name) {
        endPhase();
        phase = name;
        if (monitor != null) {
            monitor.phase();
        }
    }

    /** Prints {@code result other_cpu_cores_<phase> x}: cores busy with work not the suite's, on average. */
    void endPhase() {
        if (phase != null && monitor != null && !Double.isNaN(monitor.foreignCores())) {
            result("other_cpu_cores_" + phase, Math.round(monitor.foreignCores() * 100) / 100.0);
        }
        phase = null;
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
        rows.add(new Row(workload, figure, reference, ratio, goal, met,
                monitor == null ? Double.NaN : monitor.foreignCores()));
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The table as Markdown, so that it can go into docs/benchmarks.md as printed. */
    void printTable() {
        out.println();
        out.println("| workload | figure | ceiling / reference | ratio | goal | met? | other work |");
        out.println("|---|---:|---:|---:|---|:---:|---:|");
        boolean noisy = false;
        for (Row r : rows) {
            String other = Double.isNaN(r.otherCores()) ? "?" : String.format(Locale.ROOT, "%.2f cores%s",
                    r.otherCores(), r.otherCores() > CpuMonitor.NOISY_CORES ? " ⚠" : "");
            noisy |= r.otherCores() > CpuMonitor.NOISY_CORES;
            out.printf("| %s | %s | %s | %s | %s | %s | %s |%n", r.workload(), r.figure(), r.reference(), r.ratio(),
                    r.goal(), r.met().text, other);
        }
        if (noisy) {
            out.printf("%n⚠ measured beside other work (more than %.2f cores busy on average with processes that are"
                    + " not the suite's): measure again on a quiet machine before comparing.%n", CpuMonitor.NOISY_CORES);
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
