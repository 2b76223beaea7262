package io.warmer.testing;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How integration tests get their servers; chosen once per JVM. */
public enum InfrastructureMode {
    /** PostgreSQL, Kafka and Redis in Docker containers, via Testcontainers. */
    CONTAINERS,
    /** Installed PostgreSQL 15 and redis-server as child processes, Kafka in this JVM. */
    LOCAL;

    /** System property that forces a mode: {@code containers} or {@code local}. */
    static final String PROPERTY = "warmer.it.infra";

    /**
     * The forced mode if {@value #PROPERTY} is set, else containers when Docker works, else local when its
     * prerequisites are installed. Throws, naming what is missing and how to install it, when neither works:
     * integration tests must fail then, never silently skip.
     */
    static InfrastructureMode select() {
        String forced = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        switch (forced) {
            case "containers":
                DockerDetection.unavailableReason().ifPresent(reason -> {
                    throw new IllegalStateException("-D" + PROPERTY + "=containers was given but Docker is not "
                            + "usable: " + reason + ". Start Docker (or set DOCKER_HOST), or use -D" + PROPERTY
                            + "=local.");
                });
                return CONTAINERS;
            case "local":
                List<String> missing = LocalPrerequisites.missing();
                if (!missing.isEmpty()) {
                    throw new IllegalStateException("-D" + PROPERTY + "=local was given but local mode cannot "
                            + "run:\n  - " + String.join("\n  - ", missing));
                }
                return LOCAL;
            case "":
                break;
            default:
                throw new IllegalStateException("-D" + PROPERTY + "=" + forced + " is not a mode: use "
                        + "'containers' or 'local', or leave it unset to choose automatically.");
        }
        Optional<String> noDocker = DockerDetection.unavailableReason();
        if (noDocker.isEmpty()) {
            return CONTAINERS;
        }
        List<String> missing = LocalPrerequisites.missing();
        if (missing.isEmpty()) {
            return LOCAL;
        }
        throw new IllegalStateException("Integration tests need real PostgreSQL, Kafka and Redis servers and can "
                + "start them neither with Docker nor locally.\n"
                + "Docker: " + noDocker.get() + ". Install and start Docker, or set DOCKER_HOST.\n"
                + "Local mode (no Docker needed; Kafka runs in-process) is missing:\n  - "
                + String.join("\n  - ", missing));
    }
}
