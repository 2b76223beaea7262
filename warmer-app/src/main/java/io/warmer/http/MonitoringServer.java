package io.warmer.http;

import io.warmer.concurrent.DaemonThreads;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.warmer.config.HttpSettings;
import io.warmer.monitor.Health;
import io.warmer.monitor.PipelineMonitor;
import io.warmer.monitor.PipelineStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitoring endpoints, on the JDK's own HTTP server (no framework): {@code /health}, {@code /ready},
 * {@code /metrics}, {@code /api/status} and the status page {@code /}, whose files are served from the jar.
 */
public final class MonitoringServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MonitoringServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAGE = "/io/warmer/http/page/";
    /** The page's files: nothing else on the classpath is served. */
    private static final Map<String, String> PAGE_FILES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/status.css", "status.css",
            "/status.js", "status.js");

    /** What {@code /metrics} answers: Prometheus text, and its content type. */
    public interface Metrics {
        String contentType();

        String scrape();
    }

    /**
     * {@code GET /ready}'s body: whether every family is ready, and what each still waits for.
     *
     * @param unjudged what readiness does not judge and why (values, without a database); null when it judges all
     */
    public record Readiness(boolean ready, String waitingFor, String unjudged, List<FamilyReadiness> families) {
    }

    public record FamilyReadiness(String name, String stage, boolean ready, String waitingFor, Double coverage, long stale,
                                  Long lag) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI address;

    private MonitoringServer(HttpServer server, ExecutorService executor, URI address) {
        this.server = server;
        this.executor = executor;
        this.address = address;
    }

    /**
     * Starts serving.
     *
     * @param metrics what {@code /metrics} answers, or null to leave it out (404)
     * @throws IllegalStateException naming the address and the fix when the port cannot be bound
     */
    public static MonitoringServer start(HttpSettings settings, PipelineMonitor monitor, Metrics metrics) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(settings.bind(), settings.port()), 16);
        } catch (BindException e) {
            throw new IllegalStateException("Cannot serve the status page on " + settings.bind() + ":" + settings.port()
                    + " (" + e.getMessage() + "): the port is in use or not allowed. Set http.port in the configuration"
                    + " (or --http-port) to a free port, 0 for any free one, or http.enabled: false.", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serve the status page on " + settings.bind() + ":" + settings.port(), e);
        }
        server.createContext("/health", get(exchange -> health(exchange, monitor.health())));
        server.createContext("/ready", get(exchange -> ready(exchange, monitor.status())));
        server.createContext("/api/status", get(exchange -> json(exchange, 200, monitor.status())));
        if (metrics != null) {
            server.createContext("/metrics", get(exchange -> send(exchange, 200, metrics.contentType(),
                    metrics.scrape().getBytes(StandardCharsets.UTF_8))));
        }
        server.createContext("/", get(MonitoringServer::page));
        ExecutorService executor = Executors.newFixedThreadPool(2, DaemonThreads.named("warmer-http"));
        server.setExecutor(executor);
        server.start();
        int port = server.getAddress().getPort();
        String host = settings.bind().equals("0.0.0.0") || settings.bind().equals("::") ? "localhost" : settings.bind();
        URI address = URI.create("http://" + host + ":" + port + "/");
        LOG.atInfo().addKeyValue("event", "http_started").addKeyValue("address", address.toString())
                .log("Serving health, readiness, metrics and the status page at {}", address);
        return new MonitoringServer(server, executor, address);
    }

    /** Where the status page is, e.g. {@code http://localhost:8080/}. */
    public URI address() {
        return address;
    }

    private static void health(HttpExchange exchange, Health health) throws IOException {
        json(exchange, health.healthy() ? 200 : 503, health);
    }

    private static void ready(HttpExchange exchange, PipelineStatus status) throws IOException {
        List<FamilyReadiness> families = status.families().stream()
                .map(f -> new FamilyReadiness(f.name(), f.stage().label(), f.ready(), f.waitingFor(), f.coverage(), f.stale(),
                        f.lag()))
                .toList();
        String waitingFor = status.ready() ? null
                : !status.health().healthy() ? "a healthy pipeline: " + status.health().failing()
                : status.checkError() != null ? "a check that works: " + status.checkError()
                : status.lastCheck() == null ? "the first check"
                : families.stream().filter(f -> !f.ready()).map(f -> f.name() + ": " + f.waitingFor())
                .reduce((a, b) -> a + "; " + b).orElse("the projected hit rate");
        json(exchange, status.ready() ? 200 : 503, new Readiness(status.ready(), waitingFor, status.unjudged(), families));
    }

    private static void page(HttpExchange exchange) throws IOException {
        String file = PAGE_FILES.get(exchange.getRequestURI().getPath());
        if (file == null) {
            send(exchange, 404, "text/plain; charset=utf-8", ("Not found. Try / (status page), /api/status, /health,"
                    + " /ready or /metrics.\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (InputStream in = MonitoringServer.class.getResourceAsStream(PAGE + file)) {
            if (in == null) {
                throw new IllegalStateException(PAGE + file + " is missing from the build");
            }
            send(exchange, 200, contentType(file), in.readAllBytes());
        }
    }

    private static String contentType(String file) {
        if (file.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (file.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/javascript; charset=utf-8";
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + body.getClass().getSimpleName() + " as JSON", e);
        }
        send(exchange, status, "application/json", bytes);
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    /** Answers GET and HEAD; a failing handler answers 500 with its message, and the server goes on. */
    private static HttpHandler get(HttpHandler handler) {
        return exchange -> {
            try {
                String method = exchange.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    send(exchange, 405, "text/plain; charset=utf-8", "Only GET and HEAD.\n".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                handler.handle(exchange);
            } catch (RuntimeException | IOException e) {
                LOG.warn("Answering {} failed: {}", exchange.getRequestURI(), e.getMessage(), e);
                try {
                    send(exchange, 500, "text/plain; charset=utf-8", ("Internal error: " + e.getMessage() + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException ignored) {
                    exchange.close();
                }
            }
        };
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
