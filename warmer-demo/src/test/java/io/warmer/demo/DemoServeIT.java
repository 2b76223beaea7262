package io.warmer.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `./warmer demo --serve`, as a person runs it: the page's address is printed, the page and its data answer while
 * the application keeps writing after the cutover, and Ctrl-C (SIGTERM here) stops everything in order.
 */
class DemoServeIT {

    private static final Pattern ADDRESS = Pattern.compile("warmer: status page at (http://\\S+)");

    @Test
    void shouldKeepThePageServingAfterTheCutoverUntilStopped(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("out.txt");
        ProcessBuilder builder = packagedDemo("demo", "--serve", "--users", "1000", "--sample", "200",
                        "--live-seconds", "1", "--http-port", "0")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("WARMER_LOG_DIR", dir.resolve("logs").toString());
        Process demo = builder.start();
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> Files.readString(output).contains("serving:")
                    || !demo.isAlive());
            String printed = Files.readString(output);
            assertThat(demo.isAlive()).as("still serving after the summary; output:%n%s", printed).isTrue();
            assertThat(printed).contains("cutover: hit rate 100.00% (200/200), stale 0");
            Matcher address = ADDRESS.matcher(printed);
            assertThat(address.find()).as("the page's address in:%n%s", printed).isTrue();
            URI page = URI.create(address.group(1));

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> html = http.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(html.statusCode()).isEqualTo(200);
            assertThat(html.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            // The application keeps writing: the written counts go on rising while the page is served.
            long before = written(http, page);
            await().atMost(Duration.ofSeconds(30)).until(() -> written(http, page) > before);

            demo.destroy(); // SIGTERM, as Ctrl-C would
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
            assertThat(Files.readString(output)).contains("stopping ...");
        } finally {
            demo.destroyForcibly();
        }
    }

    private static long written(HttpClient http, URI page) throws Exception {
        String body = http.send(HttpRequest.newBuilder(page.resolve("api/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        long sum = 0;
        for (JsonNode family : new ObjectMapper().readTree(body).path("families")) {
            sum += family.path("written").asLong();
        }
        return sum;
    }

    /** What {@code ./warmer demo} runs: this module's packaged jar and its copied dependencies (failsafe runs after package). */
    private static ProcessBuilder packagedDemo(String... args) throws java.io.IOException {
        Path target = Path.of("target");
        Path jar;
        try (var jars = Files.list(target)) {
            jar = jars.filter(p -> p.getFileName().toString().matches("warmer-demo-[0-9.]+(-SNAPSHOT)?\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("run `./mvnw package` first: no warmer-demo jar in target/"));
        }
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                jar + java.io.File.pathSeparator + target.resolve("lib") + java.io.File.separator + "*",
                DemoMain.class.getName()));
        command.addAll(java.util.List.of(args));
        return new ProcessBuilder(command);
    }
}
