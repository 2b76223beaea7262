package io.warmer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import io.warmer.testkit.CacheAudit;
import io.warmer.testkit.Shop;
import io.warmer.testkit.ShopWrites;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * bench/chaos.sh: the crash-safety claim at full scale. A shop of customers and their orders (four rows per
 * customer) is warmed twice under live writes: once without kills, for the reference time to ready, and once by two
 * {@code warmer run} processes on one slot, one of which is killed with SIGKILL again and again, during the snapshot
 * and while streaming, and started again; the other takes over. Then the writes stop, the service says ready, and
 * the database is compared with Redis by code that is not Warmer's. One summary line at the end.
 */
@Command(name = "bench/chaos.sh", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Warm a shop (customers and their orders) under live writes while SIGKILLing Warmer, then"
                + " compare the database with Redis. Prints one summary line.")
public final class ChaosRun implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READY_LIMIT = Duration.ofMinutes(20);

    @Option(names = "--customers", description = "Customers; each has three orders (default: ${DEFAULT-VALUE}, a million rows).")
    long customers = 250_000;

    @Option(names = "--kills", description = "SIGKILLs in the chaos run (default: ${DEFAULT-VALUE}).")
    int kills = 10;

    @Option(names = "--rate", description = "Application transactions per second (default: ${DEFAULT-VALUE}).")
    int rate = 200;

    @Option(names = "--first-kill", description = "Seconds after the start of the first kill, during the snapshot"
            + " (default: ${DEFAULT-VALUE}).")
    int firstKill = 6;

    @Option(names = "--between", description = "Seconds between kills, at most; at least a third of it"
            + " (default: ${DEFAULT-VALUE}).")
    int between = 18;

    @Option(names = "--skip-clean", description = "Only the run with kills.")
    boolean skipClean;

    @Option(names = "--work", description = "Parent of the run's directory (default: ${DEFAULT-VALUE}).")
    Path workParent = Path.of(".warmer", "bench");

    @Option(names = "--warmer-app", description = "warmer-app/target with the packaged jar and lib/ (default: ${DEFAULT-VALUE}).")
    Path warmerApp = Path.of("warmer-app", "target");

    private final HttpClient http = HttpClient.newHttpClient();

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosRun()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = workParent.resolve("chaos-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC).format(Instant.now())).toAbsolutePath();
        Files.createDirectories(work);
        say("# Warmer chaos run: %,d customers and %,d orders, %d kills, %d transactions/s; directory %s", customers,
                3 * customers, kills, rate, work);
        try (BenchServers servers = BenchServers.start(work.resolve("servers"))) {
            long seeded = System.nanoTime();
            Shop.create(servers.db, customers);
            try (var st = servers.db.createStatement()) {
                st.execute("VACUUM (ANALYZE) customers");
                st.execute("VACUUM (ANALYZE) orders");
            }
            say("# seeded in %.1f s", seconds(seeded));
            double clean = skipClean ? Double.NaN : cleanRun(servers, work);
            return chaosRun(servers, work, clean);
        }
    }

    /**
     * One process, no kills: the reference time to ready. The same writes run until the capture has read every
     * table; then they stop, as before a cutover (readiness needs every sampled value exact and no lag).
     */
    private double cleanRun(BenchServers servers, Path work) throws Exception {
        Path config = config(servers, work, "clean");
        try (ShopWrites shop = writes(servers)) {
            long started = System.nanoTime();
            WarmerJvm warmer = start(servers, work, "clean", config);
            shop.start();
            URI address = addressOf(warmer);
            await("the clean run's snapshot", READY_LIMIT,
                    () -> json(address.resolve("api/status")).path("capture").asText().equals("streaming"));
            shop.stop();
            await("the clean run to be ready", READY_LIMIT, () -> status(address.resolve("ready")) == 200);
            double seconds = seconds(started);
            warmer.close();
            say("result chaos_clean_seconds_to_ready %.1f", seconds);
            return seconds;
        }
    }

    private int chaosRun(BenchServers servers, Path work, double clean) throws Exception {
        Path config = config(servers, work, "chaos");
        List<Double> takeovers = new ArrayList<>();
        int started = 0;
        long began = System.nanoTime();
        try (ShopWrites shop = writes(servers)) {
            WarmerJvm[] processes = {start(servers, work, "chaos-" + started++, config),
                    start(servers, work, "chaos-" + started++, config)};
            URI[] addresses = {addressOf(processes[0]), addressOf(processes[1])};
            shop.start();
            Thread.sleep(firstKill * 1000L);
            for (int kill = 1; kill <= kills; kill++) {
                int capturing = capturing(addresses);
                // Odd kills take the capturing process; even ones either, so that materializers die too.
                int victim = kill % 2 == 1 && capturing >= 0 ? capturing : ThreadLocalRandom.current().nextInt(2);
                String phase = phaseOf(addresses[victim], victim == capturing);
                kill(processes[victim]);
                long killedAt = System.nanoTime();
                if (victim == capturing) {
                    URI survivor = addresses[1 - victim];
                    await("the standby to take over", Duration.ofMinutes(2), () -> captureState(survivor).equals("RUNNING"));
                    takeovers.add(seconds(killedAt));
                }
                say("# kill %d of %d: %s, %s%s", kill, kills, processes[victim], phase, victim == capturing
                                ? String.format(Locale.ROOT, ", the other took over in %.2f s", takeovers.get(takeovers.size() - 1)) : "");
                processes[victim] = start(servers, work, "chaos-" + started++, config);
                addresses[victim] = addressOf(processes[victim]);
                if (kill < kills) {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(between * 1000L / 3, between * 1000L + 1));
                }
            }
            Thread.sleep(5_000);
            shop.stop();
            long stoppedAt = System.nanoTime();
            await("the service to be ready", READY_LIMIT, () -> status(addresses[0].resolve("ready")) == 200
                    && status(addresses[1].resolve("ready")) == 200);
            double toReady = seconds(began);
            double afterWrites = seconds(stoppedAt);
            CacheAudit.Result audit = CacheAudit.run(servers.db, servers.redisSync(), Shop.expectation("chaos"));
            for (WarmerJvm process : processes) {
                process.close();
            }
            Collections.sort(takeovers);
            double maxTakeover = takeovers.isEmpty() ? Double.NaN : takeovers.get(takeovers.size() - 1);
            double medianTakeover = takeovers.isEmpty() ? Double.NaN : takeovers.get(takeovers.size() / 2);
            audit.examples().forEach(example -> say("# %s", example));
            say("result chaos_kills %d", kills);
            say("result chaos_seconds_to_ready %.1f", toReady);
            say("result chaos_transactions %d", shop.transactions());
            say("chaos: %d kills (%d of the capturing process), %,d transactions; ready %.1f s after the start, %.1f s"
                            + " after the writes stopped (clean run: %.1f s); %,d keys compared: %,d missing, %,d stale,"
                            + " %,d extra; take-over median %.2f s, max %.2f s", kills, takeovers.size(),
                    shop.transactions(), toReady, afterWrites, clean, audit.keys(), audit.missing(), audit.stale(),
                    audit.extra(), medianTakeover, maxTakeover);
            return audit.missing() == 0 && audit.stale() == 0 && audit.extra() == 0 ? 0 : 1;
        }
    }

    private Path config(BenchServers servers, Path work, String name) throws IOException {
        var pg = servers.postgres;
        String yaml = """
                # Written by warmer-bench (io.warmer.bench.ChaosRun).
                source:
                  postgres: {host: "%s", port: %d, database: "%s", user: "%s", password-env: %s, slot: %s, publication: %s}
                kafka: {bootstrap-servers: "%s", topic-prefix: %s, partitions: 4, stream-threads: 1, application-id: %s}
                redis: {uri: "%s"}
                http: {port: 0, check-interval: 2s, ready: {min-coverage: 1.0, max-lag: 0, sample: 1000}}
                families:
                %s""".formatted(pg.host(), pg.port(), pg.database(), pg.user(), BenchConfig.PASSWORD_ENV, name, name,
                servers.kafka.bootstrapServers(), name, name, servers.redis.uri(), Shop.families(name));
        return Files.writeString(work.resolve(name + ".yml"), yaml);
    }

    private ShopWrites writes(BenchServers servers) {
        var pg = servers.postgres;
        return new ShopWrites(() -> java.sql.DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()), rate);
    }

    private WarmerJvm start(BenchServers servers, Path work, String name, Path config) {
        return WarmerJvm.start(name, warmerApp, work, BenchConfig.environment(servers), List.of("run", "--config",
                config.toString(), "--http-port", "0"));
    }

    private URI addressOf(WarmerJvm warmer) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<URI> found = warmer.statusPage();
            if (found.isPresent()) {
                return found.get();
            }
            if (!warmer.isAlive()) {
                throw new IllegalStateException(warmer + " exited; see " + warmer.stderrFile());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(warmer + " printed no address within 2 minutes");
    }

    /** Which process captures, or -1 while neither does. */
    private int capturing(URI[] addresses) {
        for (int i = 0; i < addresses.length; i++) {
            if (captureState(addresses[i]).equals("RUNNING")) {
                return i;
            }
        }
        return -1;
    }

    private String captureState(URI address) {
        for (JsonNode part : json(address.resolve("health")).path("parts")) {
            if (part.path("name").asText().equals("capture")) {
                return part.path("state").asText();
            }
        }
        return "";
    }

    /** What the process was doing: capturing (its snapshot running, or streaming) or standing by. */
    private String phaseOf(URI address, boolean capturing) {
        if (!capturing) {
            return "standing by and materializing";
        }
        String capture = json(address.resolve("api/status")).path("capture").asText();
        return "capturing (" + (capture.equals("snapshotting") ? "its snapshot running" : capture) + ")";
    }

    private static void kill(WarmerJvm process) throws InterruptedException {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private int status(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private JsonNode json(URI uri) {
        try {
            return JSON.readTree(http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up waiting for " + what + " after " + limit);
            }
            Thread.sleep(200);
        }
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
