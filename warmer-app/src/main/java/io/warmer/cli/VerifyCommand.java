package io.warmer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.warmer.capture.PostgresEndpoint;
import io.warmer.change.RowChangeCodec;
import io.warmer.config.SchemaCheck;
import io.warmer.config.WarmerConfig;
import io.warmer.redis.Redis;
import io.warmer.redis.RedisConnection;
import io.warmer.verify.CacheVerifier;
import io.warmer.verify.ProjectedHitRate;
import io.warmer.verify.VerifyReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code warmer verify}: does Redis hold what the database says it should? Exit 0 only without drift. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compare the database (the truth) with Redis for every family: missing keys, stale values"
                + " (other bytes), and with --full, extra keys under the families' key patterns.",
                "Exit 0 when there is no drift, 1 when there is, 2 for a bad configuration, 3 when a server is unreachable."})
final class VerifyCommand implements Callable<Integer> {

    /** Rows checked per family when neither --sample nor --full is given. */
    static final int DEFAULT_SAMPLE = 1_000;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @ArgGroup(exclusive = true)
    Scope scope;

    static final class Scope {
        @Option(names = "--sample", description = "Rows per family, at random (default: " + DEFAULT_SAMPLE + ").")
        Integer sample;

        @Option(names = "--full", description = "Every row, and look for extra keys over the whole keyspace.")
        boolean full;
    }

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--reads", description = {"Instead of comparing with the database: a file of recorded application"
            + " reads of old-format keys (one key a line, or `redis-cli MONITOR` output). Each is mapped through a"
            + " family's legacy key (its second or later template) to the new format (its first), and the hit rate"
            + " the new code would see now is reported."})
    Path reads;

    @Option(names = "--min-projected-hit-rate", description = "With --reads: exit 1 below this share, e.g. 0.99.")
    Double minProjectedHitRate;

    @Override
    public Integer call() throws Exception {
        WarmerConfig loaded = config.load();
        if (reads != null) {
            return projectHitRate(loaded);
        }
        PostgresEndpoint endpoint = loaded.source()
                .requireDatabase("verify compares Redis with the database").endpoint();
        var schemas = SchemaCheck.preflight(loaded);
        Integer sample = scope != null && scope.full ? null : scope != null && scope.sample != null ? scope.sample : DEFAULT_SAMPLE;
        VerifyReport report;
        try (Connection db = endpoint.connect();
             Redis process = Redis.of(loaded.redis()); RedisConnection<String, String> redis = process.connect()) {
            report = new CacheVerifier(loaded, db, redis.sync(), schemas).verify(sample, System.currentTimeMillis());
        }
        print(report, sample);
        return report.drifted() ? ExitCodes.NOT_MET : ExitCodes.OK;
    }

    private int projectHitRate(WarmerConfig loaded) throws Exception {
        var lines = ReadsFile.load(spec, reads);
        ProjectedHitRate.Result result;
        try (Redis process = Redis.of(loaded.redis()); RedisConnection<String, String> redis = process.connect()) {
            result = ProjectedHitRate.measure(loaded.keyFamilies(), lines, redis.sync());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(RowChangeCodec.json().writeValueAsString(result));
        } else {
            out.println(result.describe());
        }
        out.flush();
        return minProjectedHitRate != null && result.hitRate() < minProjectedHitRate ? ExitCodes.NOT_MET : ExitCodes.OK;
    }

    private void print(VerifyReport report, Integer sample) throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(RowChangeCodec.json().writeValueAsString(report));
            out.flush();
            return;
        }
        for (VerifyReport.Family family : report.families()) {
            out.printf("%s: %,d rows checked, %,d missing, %,d stale, %s%n", family.name(), family.checked(),
                    family.missing(), family.stale(),
                    family.extra() == null ? "extra keys not looked for (use --full)" : String.format("%,d extra", family.extra()));
            if (family.broken() != null) {
                out.println("  broken:  " + family.broken() + " (its keys are expected absent)");
            }
            family.missingExamples().forEach(k -> out.println("  missing: " + k));
            family.staleExamples().forEach(k -> out.println("  stale:   " + k));
            family.extraExamples().forEach(k -> out.println("  extra:   " + k));
        }
        out.println(report.drifted() ? "verify: DRIFT" : "verify: no drift" + (sample == null ? "" : " in a sample of "
                + sample + " rows per family"));
        out.flush();
    }
}
