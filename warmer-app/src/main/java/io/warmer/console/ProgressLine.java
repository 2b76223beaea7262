package io.warmer.console;

import java.io.PrintWriter;

/**
 * A progress display: one line rewritten in place on a terminal, a plain line now and then
 * otherwise (CI logs, pipes), so that neither a person nor a log file gets a wall of text.
 */
public final class ProgressLine {

    private static final long PLAIN_EVERY_MS = 2_000;

    private final PrintWriter out;
    private final boolean terminal;
    private long lastPlain;

    public ProgressLine(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Rewrites in place when the process runs on a terminal, plain lines otherwise. */
    public static ProgressLine on(PrintWriter out) {
        return new ProgressLine(out, System.console() != null);
    }

    public void update(String text) {
        if (terminal) {
            out.print("\r\033[2K" + text);
            out.flush();
        } else if (System.currentTimeMillis() - lastPlain >= PLAIN_EVERY_MS) {
            lastPlain = System.currentTimeMillis();
            out.println(text);
            out.flush();
        }
    }

    /** Erases the line on a terminal, so that what is printed next starts on a clean one. */
    public void clear() {
        if (terminal) {
            out.print("\r\033[2K");
            out.flush();
        }
    }

    public void finish(String text) {
        out.println(terminal ? "\r\033[2K" + text : text);
        out.flush();
    }
}
