package io.warmer.demo;

import java.io.PrintWriter;

/**
 * A progress display: one line rewritten in place on a terminal, a plain line now and then
 * otherwise (CI logs, pipes), so that neither a person nor a log file gets a wall of text.
 */
final class ProgressLine {

    private static final long PLAIN_EVERY_MS = 2_000;

    private final PrintWriter out;
    private final boolean terminal;
    private long lastPlain;

    ProgressLine(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void update(String text) {
        if (terminal) {
            out.print("\r\033[2K" + text);
            out.flush();
        } else if (System.currentTimeMillis() - lastPlain >= PLAIN_EVERY_MS) {
            lastPlain = System.currentTimeMillis();
            out.println(text);
            out.flush();
        }
    }

    void finish(String text) {
        out.println(terminal ? "\r\033[2K" + text : text);
        out.flush();
    }
}
