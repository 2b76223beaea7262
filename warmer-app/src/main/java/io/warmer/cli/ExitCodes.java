package io.warmer.cli;

/** Exit codes of every command, documented in the README. */
public final class ExitCodes {
    /** Done, and the result is what was asked for. */
    public static final int OK = 0;
    /** Ran, but the result falls short (e.g. the demo's hit rate below target). */
    public static final int NOT_MET = 1;
    /** The configuration or the command line is wrong, or names a table or column the database lacks; the message says where. */
    public static final int BAD_CONFIG = 2;
    /** A server (PostgreSQL, Kafka, Redis) is unreachable or refused; the message names it. */
    public static final int UNAVAILABLE = 3;
    /** An unexpected error; the stack trace is in the log. */
    public static final int INTERNAL = 70;

    private ExitCodes() {
    }
}
