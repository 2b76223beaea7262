package io.warmer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.warmer.change.TableId;
import io.warmer.config.ConfigLoader;
import io.warmer.config.WarmerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks docker-compose.yml, the Dockerfile and the files they mount against the repository, without
 * a Docker engine: what would otherwise only fail at `docker compose up`.
 */
class DockerComposeTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Path root;
    private static JsonNode services;

    @BeforeAll
    static void readComposeFile() throws IOException {
        root = repositoryRoot();
        services = YAML.readTree(root.resolve("docker-compose.yml").toFile()).path("services");
    }

    @Test
    void shouldDefinePostgresKafkaRedisAndWarmer() {
        assertThat(services.isObject()).as("docker-compose.yml has a services mapping").isTrue();
        assertThat(fieldNames(services)).contains("postgres", "kafka", "redis", "warmer");
    }

    @Test
    void shouldStartPostgresWithLogicalDecoding() {
        assertThat(command(services.path("postgres"))).contains("wal_level=logical");
    }

    @Test
    void shouldStartWarmerOnlyOnceItsThreeServersAreHealthy() {
        JsonNode dependsOn = services.path("warmer").path("depends_on");
        for (String server : List.of("postgres", "kafka", "redis")) {
            assertThat(dependsOn.path(server).path("condition").asText())
                    .as("warmer depends_on %s", server).isEqualTo("service_healthy");
            assertThat(services.path(server).has("healthcheck")).as("%s has a healthcheck", server).isTrue();
        }
    }

    @Test
    void shouldMountOnlyHostPathsThatExistInTheRepository() {
        List<String> sources = new ArrayList<>();
        services.properties().forEach(service -> {
            for (JsonNode volume : service.getValue().path("volumes")) {
                String source = hostSource(volume);
                if (source != null && source.startsWith(".")) {
                    sources.add(source);
                }
            }
        });

        assertThat(sources).as("relative bind mounts").isNotEmpty();
        assertThat(sources).allSatisfy(source ->
                assertThat(root.resolve(source).normalize()).as("mounted %s", source).exists());
    }

    @Test
    void shouldMountAConfigThatWarmerLoads() {
        WarmerConfig config = new ConfigLoader(name -> "dummy").load(warmerConfigFile());

        assertThat(config.families()).isNotEmpty();
        assertThat(config.source().postgres().password()).as("password-env resolved").isEqualTo("dummy");
    }

    @Test
    void shouldPointTheMountedConfigAtTheComposeServices() {
        WarmerConfig config = new ConfigLoader(name -> "dummy").load(warmerConfigFile());

        assertThat(config.source().postgres().host()).isEqualTo("postgres");
        assertThat(config.kafka().bootstrapServers()).startsWith("kafka:");
        assertThat(config.redis().uri()).contains("redis:");
        assertThat(fieldNames(services)).contains("postgres", "kafka", "redis");
    }

    @Test
    void shouldGiveWarmerThePasswordVariableItsConfigNames() throws IOException {
        String passwordEnv = YAML.readTree(warmerConfigFile().toFile())
                .path("source").path("postgres").path("password-env").asText();

        assertThat(passwordEnv).isNotEmpty();
        assertThat(environmentNames(services.path("warmer"))).contains(passwordEnv);
    }

    @Test
    void shouldCreateEveryCapturedTableInTheMountedSchema() throws IOException {
        WarmerConfig config = new ConfigLoader(name -> "dummy").load(warmerConfigFile());
        String initSql = postgresInitSql();

        for (TableId table : config.tables()) {
            Pattern create = Pattern.compile("CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?("
                    + Pattern.quote(table.schema()) + "\\.)?" + Pattern.quote(table.table()) + "\\b",
                    Pattern.CASE_INSENSITIVE);
            assertThat(create.matcher(initSql).find()).as("CREATE TABLE %s in docker/postgres", table).isTrue();
        }
    }

    @Test
    void shouldBuildAnImageWhoseEntrypointRunsWarmerCli() throws IOException {
        Path dockerfile = root.resolve("Dockerfile");
        assertThat(dockerfile).exists();

        List<String> entrypoints = Files.readAllLines(dockerfile).stream()
                .map(String::strip)
                .filter(line -> line.toUpperCase(Locale.ROOT).startsWith("ENTRYPOINT"))
                .toList();
        assertThat(entrypoints).hasSize(1);
        assertThat(entrypoints.get(0))
                .as("exec form, so that SIGTERM reaches the JVM")
                .matches("ENTRYPOINT\\s*\\[.*\\]")
                .contains("io.warmer.cli.WarmerCli");
    }

    /** The host path of the config file mounted at the path the image's CMD reads. */
    private static Path warmerConfigFile() {
        List<String> command = command(services.path("warmer"));
        int at = command.indexOf("--config");
        String target = at >= 0 && at + 1 < command.size() ? command.get(at + 1) : "/etc/warmer/warmer.yml";
        for (JsonNode volume : services.path("warmer").path("volumes")) {
            if (target.equals(containerTarget(volume))) {
                return root.resolve(hostSource(volume)).normalize();
            }
        }
        throw new AssertionError("the warmer service mounts nothing at " + target);
    }

    /** Every .sql file the postgres service mounts into /docker-entrypoint-initdb.d, concatenated. */
    private static String postgresInitSql() throws IOException {
        StringBuilder sql = new StringBuilder();
        for (JsonNode volume : services.path("postgres").path("volumes")) {
            String target = containerTarget(volume);
            if (target == null || !target.startsWith("/docker-entrypoint-initdb.d")) {
                continue;
            }
            Path source = root.resolve(hostSource(volume)).normalize();
            try (Stream<Path> files = Files.isDirectory(source) ? Files.list(source) : Stream.of(source)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".sql")).sorted().toList()) {
                    sql.append(Files.readString(file)).append('\n');
                }
            }
        }
        assertThat(sql).as("SQL mounted into the postgres init directory").isNotEmpty();
        return sql.toString();
    }

    /** A service's command as a list, whether written as a list or as one string. */
    private static List<String> command(JsonNode service) {
        JsonNode command = service.path("command");
        if (command.isArray()) {
            List<String> parts = new ArrayList<>();
            command.forEach(part -> parts.add(part.asText()));
            return parts;
        }
        return command.isTextual() ? List.of(command.asText().trim().split("\\s+")) : List.of();
    }

    private static List<String> environmentNames(JsonNode service) {
        JsonNode environment = service.path("environment");
        if (environment.isArray()) {
            List<String> names = new ArrayList<>();
            environment.forEach(entry -> names.add(entry.asText().split("=", 2)[0]));
            return names;
        }
        return fieldNames(environment);
    }

    /** The host side of a volume in short ({@code src:dst[:mode]}) or long ({@code source:}) syntax. */
    private static String hostSource(JsonNode volume) {
        if (volume.isTextual()) {
            String[] parts = volume.asText().split(":");
            return parts.length >= 2 ? parts[0] : null;
        }
        return "bind".equals(volume.path("type").asText("bind")) && volume.hasNonNull("source")
                ? volume.path("source").asText() : null;
    }

    private static String containerTarget(JsonNode volume) {
        if (volume.isTextual()) {
            String[] parts = volume.asText().split(":");
            return parts.length >= 2 ? parts[1] : parts[0];
        }
        return volume.hasNonNull("target") ? volume.path("target").asText() : null;
    }

    private static List<String> fieldNames(JsonNode node) {
        return node.properties().stream().map(Map.Entry::getKey).toList();
    }

    /** The directory holding docker-compose.yml: the working directory or one of its parents. */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
                return dir;
            }
        }
        throw new AssertionError("no docker-compose.yml in " + Path.of("").toAbsolutePath() + " or above");
    }
}
