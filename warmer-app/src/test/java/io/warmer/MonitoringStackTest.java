package io.warmer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import io.warmer.logging.LogFormat;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring half of docker-compose.yml (Prometheus, the Redis exporter, Grafana) checked against itself and
 * against the metric names Warmer publishes, without Docker: a renamed metric, a moved file or a data source uid
 * that drifted would otherwise show only as an empty panel after {@code docker compose up}.
 */
public class MonitoringStackTest {

    /**
     * What Warmer's {@code /metrics} publishes: the names the dashboard may use. A histogram stands for its
     * {@code _bucket}, {@code _sum} and {@code _count} series.
     */
    public static final Set<String> WARMER_METRICS = Set.of("warmer_keys_written_total", "warmer_keys_deleted_total",
            "warmer_writes_fenced_total", "warmer_dead_lettered_total", "warmer_coverage_ratio",
            "warmer_consumer_lag_records", "warmer_family_ready", "warmer_ready", "warmer_snapshot_completed",
            "warmer_redis_pipeline_depth", "warmer_eviction_guard_paused", "jvm_memory_used_bytes", "warmer_stale_ratio",
            "warmer_values_unavailable_total", "warmer_family_broken");
    public static final Set<String> WARMER_HISTOGRAMS = Set.of("warmer_write_latency_seconds",
            "warmer_redis_round_trip_seconds");
    /** oliver006/redis_exporter's names for INFO memory and INFO stats. */
    static final Set<String> REDIS_EXPORTER_METRICS = Set.of("redis_memory_used_bytes", "redis_memory_max_bytes",
            "redis_evicted_keys_total", "redis_up");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Words of PromQL that look like names but are not series. */
    private static final Set<String> PROMQL_KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan", "atan2");
    private static final Pattern NAME = Pattern.compile("(?<![0-9.])[a-zA-Z_:][a-zA-Z0-9_:]*");

    private static Path root;
    private static JsonNode services;
    private static JsonNode prometheus;
    private static JsonNode dashboard;

    @BeforeAll
    static void readFiles() throws IOException {
        root = DockerComposeTest.repositoryRoot();
        services = YAML.readTree(root.resolve("docker-compose.yml").toFile()).path("services");
        prometheus = YAML.readTree(hostFileMountedAt("prometheus", "/etc/prometheus/prometheus.yml").toFile());
        dashboard = JSON.readTree(root.resolve("docker/grafana/dashboards/warmer.json").toFile());
    }

    @Test
    void shouldPinEveryImageToAVersion() {
        services.properties().forEach(service -> {
            String image = service.getValue().path("image").asText();
            assertThat(image).as("%s: image", service.getKey()).isNotEmpty();
            String tag = image.substring(image.lastIndexOf('/') + 1);
            assertThat(tag).as("%s: %s names a tag", service.getKey(), image).contains(":");
            assertThat(tag.substring(tag.indexOf(':') + 1)).as("%s: %s", service.getKey(), image)
                    .isNotIn("latest", "main", "master", "nightly").matches("v?[0-9].*");
        });
    }

    @Test
    void shouldServeWarmersHttpOnThePortThatIsPublishedAndScraped() {
        WarmerConfig config = new ConfigLoader(name -> "dummy").load(hostFileMountedAt("warmer", "/etc/warmer/warmer.yml"));
        int port = config.http().port();

        assertThat(port).as("http.port in docker/warmer.yml, explicitly").isEqualTo(8080);
        assertThat(texts(services.path("warmer").path("ports"))).contains(port + ":" + port);
        assertThat(scrapeTargets()).containsEntry("warmer:" + port, "/metrics");
    }

    @Test
    void shouldScrapeEveryFiveSeconds() {
        assertThat(prometheus.path("global").path("scrape_interval").asText()).isEqualTo("5s");
        for (JsonNode job : prometheus.path("scrape_configs")) {
            assertThat(job.path("scrape_interval").asText("5s")).as(job.path("job_name").asText()).isEqualTo("5s");
        }
    }

    @Test
    void shouldScrapeTheRedisExporterThatWatchesTheComposeRedis() {
        JsonNode exporter = services.path("redis-exporter");

        assertThat(exporter.path("image").asText()).startsWith("oliver006/redis_exporter:");
        assertThat(exporter.path("environment").path("REDIS_ADDR").asText()).isEqualTo("redis://redis:6379");
        assertThat(scrapeTargets()).containsEntry("redis-exporter:9121", "/metrics");
    }

    @Test
    void shouldScrapeOnlyComposeServices() {
        assertThat(scrapeTargets().keySet()).allSatisfy(target ->
                assertThat(fieldNames(services)).as("the service of target %s", target).contains(target.split(":")[0]));
    }

    @Test
    void shouldCheckWarmersHealthWithAToolItsImageHas() throws IOException {
        List<String> test = texts(services.path("warmer").path("healthcheck").path("test"));

        assertThat(test).containsSubsequence("CMD", "curl").contains("http://localhost:8080/health");
        String runtimeBase = Files.readAllLines(root.resolve("Dockerfile")).stream()
                .filter(line -> line.toUpperCase(Locale.ROOT).startsWith("FROM ")).reduce((a, b) -> b).orElseThrow();
        assertThat(runtimeBase).as("the runtime stage: eclipse-temurin's Ubuntu images ship curl")
                .startsWith("FROM eclipse-temurin:").doesNotContain("alpine");
    }

    @Test
    void shouldLogStructuredEventsIncludingInfoToTheContainersConsole() {
        JsonNode environment = services.path("warmer").path("environment");

        assertThat(LogFormat.fromWireName(environment.path("WARMER_LOG_FORMAT").asText())).isNotEqualTo(LogFormat.TEXT);
        assertThat(environment.path("WARMER_LOG_CONSOLE").asText()).isEqualTo("info");
    }

    @Test
    void shouldProvisionTheDataSourceEveryPanelNames() throws IOException {
        JsonNode dataSource = provisioned("datasources").path("datasources").get(0);
        String uid = dataSource.path("uid").asText();

        assertThat(uid).isNotEmpty();
        assertThat(dataSource.path("type").asText()).isEqualTo("prometheus");
        URI url = URI.create(dataSource.path("url").asText());
        assertThat(url.getHost()).isEqualTo("prometheus");
        assertThat(texts(services.path("prometheus").path("ports"))).anySatisfy(port -> assertThat(port)
                .endsWith(":" + url.getPort()));
        List<JsonNode> panels = panels();
        assertThat(panels).isNotEmpty().allSatisfy(panel -> {
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText()).isEqualTo(uid);
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty().allSatisfy(target ->
                    assertThat(target.path("datasource").path("uid").asText(uid)).isEqualTo(uid));
        });
    }

    @Test
    void shouldLoadTheDashboardFromTheFolderGrafanaMountsAndOpenOnIt() throws IOException {
        String folder = provisioned("dashboards").path("providers").get(0).path("options").path("path").asText();
        Path hostFolder = hostFileMountedAt("grafana", folder);
        String home = services.path("grafana").path("environment").path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
                .asText();

        assertThat(hostFolder.resolve("warmer.json")).exists();
        assertThat(home).startsWith(folder + "/");
        assertThat(hostFolder.resolve(home.substring(folder.length() + 1))).exists();
    }

    @Test
    void shouldLetAnyoneViewTheDashboardWithoutLoggingIn() {
        JsonNode environment = services.path("grafana").path("environment");

        assertThat(environment.path("GF_AUTH_ANONYMOUS_ENABLED").asText()).isEqualTo("true");
        assertThat(environment.path("GF_AUTH_ANONYMOUS_ORG_ROLE").asText()).isEqualTo("Viewer");
    }

    @Test
    void shouldUseOnlyMetricsThatWarmerAndTheRedisExporterPublish() {
        Set<String> used = new LinkedHashSet<>();
        expressions().values().forEach(expr -> used.addAll(metricNames(expr)));

        assertThat(used).allSatisfy(name -> assertThat(isPublished(name)).as("%s is published by Warmer or the Redis"
                + " exporter (MonitoringStackTest.WARMER_METRICS)", name).isTrue());
        assertThat(used).as("the panels the dashboard is for").contains("warmer_coverage_ratio",
                "warmer_consumer_lag_records", "warmer_keys_written_total", "warmer_keys_deleted_total",
                "warmer_writes_fenced_total", "warmer_dead_lettered_total", "warmer_family_ready", "warmer_ready",
                "warmer_write_latency_seconds_bucket", "redis_memory_used_bytes", "redis_evicted_keys_total",
                "jvm_memory_used_bytes");
    }

    @Test
    void shouldFindTheSeriesNamesInAnExpression() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (family, le) (rate(warmer_write_latency_seconds_bucket"
                + "{family=~\"a|b\", job=\"warmer\"}[1m])))")).containsExactly("warmer_write_latency_seconds_bucket");
        assertThat(metricNames("sum(a_total offset 5m) / on (job) group_left(x) b + 1e3 * c and bool d"))
                .containsExactly("a_total", "b", "c", "d");
    }

    @Test
    void shouldPassPromtoolsChecksOfTheConfigAndEveryPanelQuery(@TempDir Path dir) throws Exception {
        Path config = hostFileMountedAt("prometheus", "/etc/prometheus/prometheus.yml");
        ObjectNode rules = YAML.createObjectNode();
        ArrayNode recorded = rules.putArray("groups").addObject().put("name", "dashboard").putArray("rules");
        expressions().forEach((name, expr) -> recorded.addObject().put("record", name).put("expr", expr));
        Path rulesFile = dir.resolve("dashboard-rules.yml");
        YAML.writeValue(rulesFile.toFile(), rules);

        assertThat(promtool("check", "config", "--syntax-only", config.toString())).isEmpty();
        assertThat(promtool("check", "rules", rulesFile.toString())).isEmpty();
    }

    /** Runs promtool; returns its output if it failed, the empty string if it passed. */
    private static String promtool(String... arguments) throws Exception {
        String binary = onPath("promtool");
        List<String> command = new ArrayList<>(List.of(binary));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        return process.exitValue() == 0 ? "" : String.join(" ", command) + " failed:\n" + output;
    }

    private static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError(program + " is not on the PATH; it checks docker/prometheus/prometheus.yml and the"
                + " dashboard's queries. Install it with Debian's prometheus package (`apt-get install -y"
                + " --no-install-recommends prometheus`, as .ci/run does) or from a Prometheus release archive.");
    }

    /** Every panel query, named for promtool as a recording rule: {@code dashboard:panel_<id>_<refId>}. */
    private static Map<String, String> expressions() {
        Map<String, String> expressions = new LinkedHashMap<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                assertThat(expr).as("query %s of %s", target.path("refId").asText(), panel.path("title").asText())
                        .isNotBlank();
                expressions.put("dashboard:panel_" + panel.path("id").asInt() + "_" + target.path("refId").asText(),
                        expr);
            }
        }
        return expressions;
    }

    /** Panels, those inside collapsed rows included. */
    private static List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                panel.path("panels").forEach(panels::add);
            } else {
                panels.add(panel);
            }
        }
        return panels;
    }

    /**
     * The series names a PromQL expression selects: names that are not functions (followed by a parenthesis),
     * keywords, labels (inside braces or a by/without/on/ignoring/group_x list), windows or strings.
     */
    static Set<String> metricNames(String expr) {
        String selectors = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"|'(\\\\.|[^'\\\\])*'", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher name = NAME.matcher(selectors);
        while (name.find()) {
            String rest = selectors.substring(name.end()).stripLeading();
            if (!rest.startsWith("(") && !PROMQL_KEYWORDS.contains(name.group().toLowerCase(Locale.ROOT))) {
                names.add(name.group());
            }
        }
        return names;
    }

    private static boolean isPublished(String name) {
        if (WARMER_METRICS.contains(name) || REDIS_EXPORTER_METRICS.contains(name)) {
            return true;
        }
        return WARMER_HISTOGRAMS.stream().anyMatch(histogram -> name.equals(histogram + "_bucket")
                || name.equals(histogram + "_sum") || name.equals(histogram + "_count"));
    }

    /** Prometheus's targets, each with its metrics path. */
    private static Map<String, String> scrapeTargets() {
        Map<String, String> targets = new LinkedHashMap<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            for (JsonNode staticConfig : job.path("static_configs")) {
                for (JsonNode target : staticConfig.path("targets")) {
                    targets.put(target.asText(), job.path("metrics_path").asText("/metrics"));
                }
            }
        }
        return targets;
    }

    /** The one provisioning file of a kind (datasources, dashboards) under the folder Grafana mounts. */
    private static JsonNode provisioned(String kind) throws IOException {
        Path folder = hostFileMountedAt("grafana", "/etc/grafana/provisioning").resolve(kind);
        try (var files = Files.list(folder)) {
            List<Path> yaml = files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).toList();
            assertThat(yaml).as("provisioning files in %s", folder).hasSize(1);
            return YAML.readTree(yaml.get(0).toFile());
        }
    }

    /** The host path a service mounts at a container path, or under it when a parent folder is mounted. */
    private static Path hostFileMountedAt(String service, String containerPath) {
        for (JsonNode volume : services.path(service).path("volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts.length >= 2 && (containerPath.equals(parts[1]) || containerPath.startsWith(parts[1] + "/"))) {
                Path mounted = root.resolve(parts[0]).normalize();
                return containerPath.equals(parts[1]) ? mounted
                        : mounted.resolve(containerPath.substring(parts[1].length() + 1));
            }
        }
        throw new AssertionError(service + " mounts nothing at " + containerPath);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }

    private static List<String> fieldNames(JsonNode node) {
        return node.properties().stream().map(Map.Entry::getKey).toList();
    }
}
