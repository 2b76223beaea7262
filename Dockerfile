# syntax=docker/dockerfile:1
# Warmer's image: `docker build -t warmer .`, then
#   docker run --rm -v ./warmer.yml:/etc/warmer/warmer.yml:ro -e WARMER_PG_PASSWORD=... warmer
# (docker-compose.yml runs it next to PostgreSQL, Kafka and Redis.)

# --- build: the same `package` as ./warmer does, tests left to CI -----------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# The whole checkout (less what .dockerignore leaves out): Maven reads every module the root pom lists.
COPY . .
# The local repository lives in a BuildKit cache, so a rebuild after a source edit downloads nothing.
# Only warmer-app and the modules it needs are built. Its runtime classpath (target/lib) carries no demo
# servers: the broker, PostgreSQL and redis-server live in warmer-embedded and warmer-demo (RuntimeClasspathIT).
RUN --mount=type=cache,id=warmer-m2,target=/root/.m2 \
    mvn -B -q -DskipTests -pl warmer-app -am package \
 && mkdir -p /out \
 && cp -r warmer-app/target/lib /out/lib \
 && cp "$(find warmer-app/target -maxdepth 1 -name 'warmer-app-*.jar' \
           ! -name '*-sources.jar' ! -name '*-javadoc.jar' ! -name '*-tests.jar' | head -n 1)" /out/warmer-app.jar

# --- runtime: a JRE, the application jar and its runtime dependencies -------------------------
FROM eclipse-temurin:17-jre
RUN groupadd --system warmer \
 && useradd --system --gid warmer --home-dir /opt/warmer --no-create-home warmer \
 && mkdir -p /var/log/warmer /var/lib/warmer \
 && chown warmer:warmer /var/log/warmer /var/lib/warmer
COPY --from=build /out/lib/ /opt/warmer/lib/
COPY --from=build /out/warmer-app.jar /opt/warmer/warmer-app.jar
# The working directory holds kafka.state-dir (warmer-data/streams): Kafka Streams' local stores, read back on a
# restart instead of restored from the changelog topics. A volume keeps them across containers.
WORKDIR /var/lib/warmer
VOLUME /var/lib/warmer
# The log file goes here; warnings also go to stderr, i.e. `docker logs` (WARMER_LOG_CONSOLE=info adds
# Warmer's INFO events, WARMER_LOG_FORMAT=json or kv makes every line one structured event).
ENV WARMER_LOG_DIR=/var/log/warmer
USER warmer
# The parallel collector: on 2 cores it gave a snapshot 20% more rows/s than G1 (docs/benchmarks.md).
# Setting JAVA_TOOL_OPTIONS replaces it, e.g. with another collector.
ENV JAVA_TOOL_OPTIONS="-XX:+UseParallelGC"
# Exec form: java is PID 1 and receives SIGTERM itself, so `docker stop` stops Warmer gracefully.
# The lib/* wildcard is expanded by the java launcher, not by a shell. JVM flags: JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "-cp", "/opt/warmer/warmer-app.jar:/opt/warmer/lib/*", "io.warmer.cli.WarmerCli"]
CMD ["run", "--config", "/etc/warmer/warmer.yml"]
