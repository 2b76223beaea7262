package io.warmer.testing;

import io.warmer.cli.WarmerCli;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs a `warmer` command in-process, as a user would type it, and keeps what it printed. */
public final class Cli {

    /** What a command returned and printed. */
    public record Result(int exit, String out, String err) {
    }

    private Cli() {
    }

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = WarmerCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
