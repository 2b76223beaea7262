package io.warmer.testing;

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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.warmer.embedded.OrphanGuard;
import io.warmer.embedded.StopSignal;

/**
 * {@code warmer run} as a process of its own (the packaged jar), for tests that kill it: its printed output, its
 * monitoring endpoints, SIGKILL and SIGTERM.
 */
public final class WarmerProcess implements AutoCloseable {

    private static final Pattern ADDRESS = Pattern.compile("warmer: status page at (http://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final Path output;
    private final URI address;
    /** Kills it if the test's JVM dies first: left behind without the test's broker, it would retry for ever. */
    private final OrphanGuard guard;

    private WarmerProcess(Process process, Path output, URI address, OrphanGuard guard) {
        this.process = process;
        this.output = output;
        this.address = address;
        this.guard = guard;
    }

    /**
     * Starts {@code warmer run --config <config> --http-port 0} and waits until it prints its address.
     *
     * @param dir where its output ({@code <name>.out}) and logs go
     */
    public static WarmerProcess start(Path config, Path dir, String name, String... extraArgs) throws IOException {
        return start(config, dir, name, java.util.Map.of(), extraArgs);
    }

    /** @param environment variables to set, e.g. the secrets the configuration names with {@code -env} */
    public static WarmerProcess start(Path config, Path dir, String name, java.util.Map<String, String> environment,
                                      String... extraArgs) throws IOException {
        Path output = dir.resolve(name + ".out");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("run", "--config", config.toString(),
                "--http-port", "0"));
        args.addAll(java.util.List.of(extraArgs));
        ProcessBuilder builder = PackagedWarmer.command(args.toArray(String[]::new)).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("WARMER_LOG_DIR", dir.resolve(name + "-logs").toString());
        builder.environment().putAll(environment);
        Process process = builder.start();
        OrphanGuard guard = OrphanGuard.watch("warmer " + name, process.toHandle(), StopSignal.TERM);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String printed = Files.exists(output) ? Files.readString(output) : "";
            Matcher found = ADDRESS.matcher(printed);
            if (found.find()) {
                return new WarmerProcess(process, output, URI.create(found.group(1)), guard);
            }
            if (!process.isAlive()) {
                guard.close();
                throw new IllegalStateException("warmer run exited with " + process.exitValue() + ":\n" + printed);
            }
            sleep(100);
        }
        process.destroyForcibly();
        guard.close();
        throw new IllegalStateException("warmer run printed no address within 120 s:\n" + Files.readString(output));
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        guard.close();
    }

    /** SIGTERM, and waits for the graceful stop. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        guard.close();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Where its monitoring server listens, e.g. http://127.0.0.1:41234/. */
    public URI address() {
        return address;
    }

    public long pid() {
        return process.pid();
    }

    public String output() throws IOException {
        return Files.readString(output);
    }

    /**
     * Waits until {@code /ready} answers 200; else fails with what it answered last and the end of the output, so that
     * a fault test that does not get ready says why.
     */
    public void awaitReady(java.time.Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                var ready = get("ready");
                if (ready.statusCode() == 200) {
                    return;
                }
                last = ready.statusCode() + " " + ready.body();
            } catch (IOException e) {
                last = "no answer: " + e.getMessage();
            }
            sleep(500);
        }
        String printed = output();
        throw new AssertionError("not ready within " + within + "; /ready said " + last + "\nthe output ends with:\n"
                + printed.substring(Math.max(0, printed.length() - 6_000)));
    }

    /** The HTTP status of {@code GET /<path>}, or -1 when the process does not answer. */
    public int status(String path) {
        try {
            return get(path).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The body of {@code GET /<path>} as JSON; a missing node when the process does not answer. */
    public JsonNode json(String path) {
        try {
            return JSON.readTree(get(path).body());
        } catch (IOException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    private HttpResponse<String> get(String path) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(address.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
