package io.warmer.http;

import io.warmer.runtime.ServiceMonitoring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.warmer.config.WarmerConfig;
import io.warmer.embedded.EmbeddedRedis;
import io.warmer.http.StatusPage.ShownFamily;
import io.warmer.http.StatusPage.ShownHeader;
import io.warmer.service.WarmerService;
import io.warmer.testing.HeadlessChromium;
import io.warmer.testing.TestConfigs;
import io.warmer.testing.TestDatabase;
import io.warmer.testing.TestInfra;
import io.warmer.testing.WarmerInfrastructure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status page in a real headless Chromium, over a real pipeline: two families, one ready from the snapshot and
 * one filled in rounds while the page watches. Every run leaves a screenshot of the warm-up in progress at
 * {@code target/status-page.png}; {@code -Dwarmer.screenshot=$PWD/docs/images/status-page.png} also writes it there
 * (the README's picture).
 *
 * <p>One pipeline serves every test here (starting one costs seconds). The warm-up runs first so that its screenshot
 * shows no other test's doing.
 */
@ExtendWith(WarmerInfrastructure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusPageIT {

    private static final Logger LOG = LoggerFactory.getLogger(StatusPageIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int USERS = 1_000;
    private static final int ORDERS_PER_ROUND = 300;
    private static final int ROUNDS = 3;
    /**
     * Redis holds each round's writes back this long (CLIENT PAUSE … WRITE; reads and PINGs go on), so the checks
     * and at least one refresh of the page see the round's rows missing before they land.
     */
    private static final Duration WRITE_PAUSE = Duration.ofSeconds(8);
    /** Checks sample every row of both tables, so coverage is exact: cached rows / rows. */
    private static final String HTTP = "http: {port: 0, check-interval: 500ms, ready: {sample: 2000}}";
    private static final Path SCREENSHOT = Path.of("target", "status-page.png");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private HeadlessChromium browser;
    private StatusPage page;
    private TestDatabase db;
    private EmbeddedRedis redis;
    private RedisClient redisClient;
    private StatefulRedisConnection<String, String> redisAdmin;
    private WarmerConfig config;
    private WarmerService service;
    private ServiceMonitoring monitoring;
    private URI address;

    @BeforeAll
    void startPipelineAndBrowser(TestInfra infra, @TempDir Path dir) throws Exception {
        browser = HeadlessChromium.start(); // first: without a browser, fail before the slow part
        page = new StatusPage(browser);
        db = infra.postgres().newDatabase();
        db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)",
                "INSERT INTO users SELECT i, 'user ' || i FROM generate_series(1, " + USERS + ") i",
                "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric(10, 2))");
        // A Redis of its own: pausing its writes must not slow any other test, and its keys need no prefix.
        redis = EmbeddedRedis.start(dir.resolve("redis"));
        redisClient = RedisClient.create(redis.uri());
        redisAdmin = redisClient.connect();
        String yaml = TestConfigs.yaml(infra, db, "{uri: \"" + redis.uri() + "\"}", """
                  - {name: profile, table: users, key: "v2:user:${id}"}
                  - {name: orders, table: orders, key: "v2:order:${id}"}
                """);
        assertThat(yaml).contains("http: {port: 0}");
        config = TestConfigs.parse(yaml.replace("http: {port: 0}", HTTP));
        service = WarmerService.start(config);
        monitoring = ServiceMonitoring.start(config, service, ServiceMonitoring.configuredTargets(config.http()));
        address = monitoring.address().orElseThrow();
    }

    @AfterAll
    void stop() {
        for (AutoCloseable each : new AutoCloseable[] {monitoring, service, redisAdmin,
                redisClient == null ? null : redisClient::shutdown, redis, browser}) {
            if (each != null) {
                try {
                    each.close();
                } catch (Exception e) {
                    LOG.warn("Stopping {} after the status page tests failed: {}", each, e.getMessage());
                }
            }
        }
    }

    @Test
    @Order(1)
    void shouldShowEachFamilysWarmUpAsItHappens() throws Exception {
        browser.open(address);
        await().atMost(WAIT).pollInterval(POLL).untilAsserted(() ->
                assertThat(page.familyNames()).containsExactly("profile", "orders"));
        await().atMost(WAIT).pollInterval(POLL).untilAsserted(() -> {
            ShownFamily profile = page.family("profile");
            assertThat(profile.written()).isEqualTo(USERS);
            assertThat(profile.writtenText()).isEqualTo("1,000");
            assertThat(profile.coverage()).isEqualTo(1.0);
            assertThat(page.header().ready()).isEqualTo("READY");
        });

        List<Long> writtenSeen = new ArrayList<>();
        List<Double> coverageSeen = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            long rows = (long) round * ORDERS_PER_ROUND;
            double before = (double) (round - 1) / round; // the earlier rounds' rows are cached, this one's not yet
            pauseRedisWrites(WRITE_PAUSE);
            db.execute("INSERT INTO orders SELECT i, i % " + USERS + " + 1, i * 1.5 FROM generate_series("
                    + (rows - ORDERS_PER_ROUND + 1) + ", " + rows + ") i");

            ShownFamily filling = await().atMost(WRITE_PAUSE).pollInterval(POLL).until(
                    () -> observe(page.family("orders"), writtenSeen, coverageSeen),
                    shown -> shown.coverage() != null && shown.coverage() < 1);
            assertThat(filling.coverage()).isCloseTo(before, within(1e-9));
            assertThat(filling.coverageText()).isEqualTo(String.format(Locale.ROOT, "%.2f%%", 100 * before));
            assertThat(filling.barWidth()).endsWith("%");
            assertThat(Double.parseDouble(filling.barWidth().replace("%", ""))).isCloseTo(100 * before, within(0.01));
            assertThat(filling.coverageDetail()).isEqualTo(String.format(Locale.US, "%,d checked · %,d missing", rows,
                    ORDERS_PER_ROUND));
            assertThat(filling.stage()).isEqualTo("streaming");
            assertThat(filling.waitingFor()).startsWith("coverage ");
            ShownHeader header = page.header();
            assertThat(header.ready()).isEqualTo("NOT READY");
            assertThat(header.readyWhy()).anySatisfy(why -> assertThat(why).startsWith("orders waits for coverage"));
            if (round == ROUNDS) {
                screenshot(); // the README's picture: one family ready, the other filling
            }

            await().atMost(WAIT).pollInterval(POLL).until(
                    () -> observe(page.family("orders"), writtenSeen, coverageSeen),
                    shown -> Objects.equals(shown.coverage(), 1.0) && Objects.equals(shown.written(), rows));
        }

        assertThat(writtenSeen).as("orders written, as the page showed it over time").isSorted()
                .doesNotHaveDuplicates().containsSubsequence(300L, 600L, 900L);
        assertThat(coverageSeen).as("orders coverage, as the page showed it over time")
                .containsSubsequence(0.0, 1.0, 0.5, 1.0, 0.6667, 1.0);
        await().atMost(WAIT).pollInterval(POLL).untilAsserted(() -> {
            assertThat(page.header().ready()).isEqualTo("READY");
            assertThat(page.family("orders").stage()).isEqualTo("ready");
        });
        await().atMost(Duration.ofSeconds(20)).pollInterval(POLL).untilAsserted(this::assertPageMatchesTheApi);
        assertThat(browser.severeConsoleMessages()).as("script errors or failed requests in the page").isEmpty();
    }

    @Test
    @Order(2)
    void shouldServeThePageFilesWithTheirContentTypesAndNothingElse() throws Exception {
        HttpResponse<String> index = get("");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(index.body()).contains("<script src=\"status.js\"></script>", "href=\"status.css\"");
        assertThat(get("index.html").body()).isEqualTo(index.body());

        HttpResponse<String> css = get("status.css");
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(css.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(css.body()).contains(".coverage-bar");

        HttpResponse<String> js = get("status.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(js.body()).contains("api/status").doesNotContain("innerHTML");

        for (String other : List.of("nothing-here", "status.jsx", "io/warmer/http/page/index.html", "page/status.js",
                "logback.xml", "favicon.ico")) {
            HttpResponse<String> notFound = get(other);
            assertThat(notFound.statusCode()).as(other).isEqualTo(404);
            assertThat(notFound.body()).as(other).startsWith("Not found.");
        }
    }

    @Test
    @Order(3)
    void shouldShowLoggedWarningsAsTextNotAsMarkup() {
        String message = "The page must not run this: <img src=x onerror=\"document.body.dataset.hacked=1\"><b>bold</b>";
        browser.open(address);

        LOG.warn(message);

        await().atMost(WAIT).pollInterval(POLL).untilAsserted(() ->
                assertThat(page.recentErrorMessages()).contains(message));
        assertThat(page.elementsInside("errors", "img")).isZero();
        assertThat(page.elementsInside("errors", "b")).isZero();
        assertThat((Object) browser.script("return document.body.dataset.hacked")).isNull();
    }

    @Test
    @Order(4)
    void shouldSayTheConnectionIsLostWhileTheServerIsGoneAndRecoverWhenItIsBack() {
        MonitoringServer server = MonitoringServer.start(config.http(), monitoring.monitor(), null);
        int port = server.address().getPort();
        browser.open(server.address());
        await().atMost(WAIT).pollInterval(POLL).untilAsserted(() ->
                assertThat(page.family("profile").written()).isEqualTo(USERS));
        assertThat(page.header().connection()).isNull();

        server.close();

        await().atMost(Duration.ofSeconds(15)).pollInterval(POLL).untilAsserted(() -> {
            ShownHeader header = page.header();
            assertThat(header.connection()).startsWith("Connection lost, retrying every 2 s");
            assertThat(header.ready()).isEqualTo("UNKNOWN");
            assertThat(header.offline()).isTrue();
        });
        assertThat(page.family("profile").written()).as("the last figures stay, greyed").isEqualTo(USERS);

        try (MonitoringServer back = MonitoringServer.start(config.http().withPort(port), monitoring.monitor(), null)) {
            await().atMost(Duration.ofSeconds(15)).pollInterval(POLL).untilAsserted(() -> {
                ShownHeader header = page.header();
                assertThat(header.connection()).isNull();
                assertThat(header.offline()).isFalse();
                assertThat(header.ready()).isEqualTo("READY");
            });
        }
    }

    /** Records the family's written count and coverage when they differ from the last ones seen. */
    private static ShownFamily observe(ShownFamily shown, List<Long> writtenSeen, List<Double> coverageSeen) {
        if (shown.written() != null && (writtenSeen.isEmpty() || !writtenSeen.get(writtenSeen.size() - 1).equals(shown.written()))) {
            writtenSeen.add(shown.written());
        }
        if (shown.coverage() != null) {
            double rounded = Math.round(shown.coverage() * 1e4) / 1e4;
            if (coverageSeen.isEmpty() || coverageSeen.get(coverageSeen.size() - 1) != rounded) {
                coverageSeen.add(rounded);
            }
        }
        return shown;
    }

    private void assertPageMatchesTheApi() throws IOException, InterruptedException {
        JsonNode api = JSON.readTree(get("api/status").body());
        ShownHeader header = page.header();
        assertThat(header.applicationId()).isEqualTo(api.path("applicationId").asText());
        assertThat(header.ready()).isEqualTo(api.path("ready").asBoolean() ? "READY" : "NOT READY");
        assertThat(header.capture()).isEqualTo(api.path("capture").asText());
        List<String> parts = new ArrayList<>();
        api.path("health").path("parts").forEach(part -> parts.add(part.path("name").asText()));
        assertThat(header.health()).hasSameSizeAs(parts);
        for (int i = 0; i < parts.size(); i++) {
            assertThat(header.health().get(i)).startsWith(parts.get(i));
        }
        for (JsonNode family : api.path("families")) {
            ShownFamily shown = page.family(family.path("name").asText());
            assertThat(shown).as(family.path("name").asText()).isNotNull();
            assertThat(shown.stage()).isEqualTo(family.path("stage").asText());
            assertThat(shown.key()).isEqualTo(family.path("keys").get(0).asText());
            assertThat(shown.table()).isEqualTo(family.path("table").asText());
            assertThat(shown.coverage()).isEqualTo(family.path("coverage").asDouble());
            assertThat(shown.coverageDetail()).isEqualTo(String.format(Locale.US, "%,d checked · %,d missing",
                    family.path("checked").asLong(), family.path("missing").asLong()));
            assertThat(shown.lag()).isEqualTo(family.path("lag").isNull() ? null : family.path("lag").asLong());
            assertThat(shown.written()).isEqualTo(family.path("written").asLong());
            assertThat(shown.writtenText()).isEqualTo(String.format(Locale.US, "%,d", family.path("written").asLong()));
            assertThat(shown.deleted()).isEqualTo(family.path("deleted").asLong());
            assertThat(shown.fenced()).isEqualTo(family.path("fenced").asLong());
            assertThat(shown.deadLettered()).isEqualTo(family.path("deadLettered").asLong());
        }
    }

    private void screenshot() {
        String extra = System.getProperty("warmer.screenshot");
        if (extra == null || extra.isBlank()) {
            browser.screenshot(SCREENSHOT);
        } else {
            browser.screenshot(SCREENSHOT, Path.of(extra));
        }
    }

    /** Lets Redis answer reads and PINGs but hold every write (and script) for the duration. */
    private void pauseRedisWrites(Duration duration) {
        StringCodec codec = StringCodec.UTF8;
        redisAdmin.sync().dispatch(CommandType.CLIENT, new StatusOutput<>(codec),
                new CommandArgs<>(codec).add("PAUSE").add(duration.toMillis()).add("WRITE"));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(address.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
