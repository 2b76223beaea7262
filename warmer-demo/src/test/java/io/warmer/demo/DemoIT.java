package io.warmer.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmer.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Runs `./warmer demo` at a small scale, so that the README's first command cannot rot. */
class DemoIT {

    @Test
    void shouldReplayTheIncidentAndFindAHotCacheAtTheCutover() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = DemoMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("demo", "--users", "2000", "--sample", "500", "--live-seconds", "2",
                "--http-port", "0");

        assertThat(exit).as("exit code; output:%n%s%nerrors:%n%s", out, err).isEqualTo(ExitCodes.OK);
        assertThat(out.toString())
                .containsPattern("(?m)^cutover: hit rate 100\\.00% \\(500/500\\), stale 0, warm-up [0-9.]+ s \\([0-9,]+ rows/s\\)$")
                .contains("verify: user-profile-v2: 500 rows checked, 0 missing, 0 stale",
                        "verify: user-preferences-v2: 500 rows checked, 0 missing, 0 stale")
                // Recorded reads of the old keys of users that exist all map to new keys that are there.
                .containsPattern("(?m)^projected hit rate: 100\\.00% \\(500 of 500 mapped reads would hit;"
                        + " 0 of 500 reads matched no legacy key\\)$");
    }
}
