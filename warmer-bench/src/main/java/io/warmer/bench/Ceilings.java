package io.warmer.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.warmer.embedded.EmbeddedRedis;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What raw Redis does on this machine, measured in the same run as the workloads it is compared with,
 * each against a private redis-server with {@code redis-benchmark -P 16 -c 4} and 300-byte values:
 * <ul>
 *   <li>{@code set_ex}, and {@code lua} (the one-key stand-in {@code bench/fenced-write-ceiling.lua}),
 *       from the shared {@code redis-ceiling.sh}, as every earlier W1 figure was compared;</li>
 *   <li>{@code evalsha_fenced}: an EVALSHA of Warmer's own {@code fenced-writes.lua}, one write a call, with the arguments the
 *       sink sends it (key, version key, version, {@code set}, TTL, fencing on, value), keys and versions
 *       drawn from 10^8, so that nearly every call applies its write, as in W3.</li>
 * </ul>
 */
final class Ceilings {

    /** Warmer's fenced write, as the sink loads it. */
    static final String FENCED_WRITE = "/io/warmer/sink/fenced-writes.lua";
    private static final String KEYSPACE = "100000000";

    private Ceilings() {
    }

    /** @return ceiling name to ops/s */
    static Map<String, Double> measure(Path ceilingScript, Path shapedLua, Path work, long requests, int valueBytes)
            throws IOException, InterruptedException {
        Map<String, Double> ceilings = new HashMap<>();
        if (!Files.isExecutable(ceilingScript)) {
            throw new IllegalStateException("No redis-ceiling.sh at " + ceilingScript + ": pass --redis-ceiling FILE"
                    + " (it is /work/shared/bench/redis-ceiling.sh on this project's machines).");
        }
        String out = run(List.of(ceilingScript.toString(), "--value-bytes", Integer.toString(valueBytes),
                "--requests", Long.toString(requests), "--lua", shapedLua.toString()));
        for (String line : out.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 3 && parts[0].equals("ceiling")) {
                ceilings.put(parts[1], Double.parseDouble(parts[2]));
            }
        }
        ceilings.put("evalsha_fenced", fencedWrite(work, requests, valueBytes));
        return ceilings;
    }

    private static double fencedWrite(Path work, long requests, int valueBytes) throws IOException, InterruptedException {
        String script;
        try (InputStream in = Ceilings.class.getResourceAsStream(FENCED_WRITE)) {
            if (in == null) {
                throw new IllegalStateException(FENCED_WRITE + " is not on the classpath: is warmer-app built?");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (EmbeddedRedis redis = EmbeddedRedis.start(work.resolve("ceiling-redis"))) {
            RedisClient client = RedisClient.create(redis.uri());
            String sha;
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                sha = c.sync().scriptLoad(script);
            } finally {
                client.shutdown();
            }
            List<String> command = new ArrayList<>(List.of("redis-benchmark", "-p", Integer.toString(redis.port()),
                    "-q", "--csv", "-P", "16", "-c", "4", "-n", Long.toString(requests), "-r", KEYSPACE,
                    "EVALSHA", sha, "2", "bench:__rand_int__", "{bench:__rand_int__}:v", "__rand_int__", "set",
                    "3600000", "0", "1", "1", "v".repeat(valueBytes)));
            return lastCsvRate(run(command));
        }
    }

    /** redis-benchmark --csv: the last row's second field, e.g. {@code "EVALSHA ...","84132.00",...}. */
    private static double lastCsvRate(String csv) {
        double rate = 0;
        for (String line : csv.split("\n")) {
            String[] fields = line.split("\"");
            if (fields.length > 3) {
                try {
                    rate = Double.parseDouble(fields[3]);
                } catch (NumberFormatException header) {
                    // the header row
                }
            }
        }
        if (rate == 0) {
            throw new IllegalStateException("redis-benchmark printed no rate:\n" + csv);
        }
        return rate;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " failed (exit " + (p.isAlive() ? "none" : p.exitValue())
                        + "):\n" + out);
            }
        } finally {
            p.destroyForcibly();
        }
        return out;
    }
}
