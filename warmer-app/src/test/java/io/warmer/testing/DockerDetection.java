package io.warmer.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.testcontainers.DockerClientFactory;

/**
 * Whether Testcontainers can use a Docker engine here.
 *
 * <p>Asking Testcontainers on a machine without Docker costs seconds and logs a page of errors, so it is only
 * asked when something points at an engine (DOCKER_HOST, a known socket, ~/.testcontainers.properties).
 */
final class DockerDetection {

    private static final long DETECTION_TIMEOUT_SECONDS = 60;

    private DockerDetection() {
    }

    /** Empty if Docker is usable, otherwise why not (for the error message when Docker is required). */
    static Optional<String> unavailableReason() {
        List<String> hints = hints();
        if (hints.isEmpty()) {
            return Optional.of("no Docker engine found (DOCKER_HOST is unset and none of the usual sockets "
                    + "exists, e.g. /var/run/docker.sock)");
        }
        CompletableFuture<Boolean> check = CompletableFuture.supplyAsync(
                () -> DockerClientFactory.instance().isDockerAvailable());
        try {
            if (check.get(DETECTION_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                return Optional.empty();
            }
            return Optional.of("Testcontainers could not use the Docker engine at " + hints
                    + " (see its log messages above)");
        } catch (TimeoutException e) {
            check.cancel(true);
            return Optional.of("Testcontainers did not reach the Docker engine at " + hints + " within "
                    + DETECTION_TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            return Optional.of("Testcontainers failed to check the Docker engine at " + hints + ": "
                    + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking whether Docker is available", e);
        }
    }

    private static List<String> hints() {
        List<String> hints = new ArrayList<>();
        String dockerHost = System.getenv("DOCKER_HOST");
        if (dockerHost != null && !dockerHost.isBlank()) {
            hints.add("DOCKER_HOST=" + dockerHost);
        }
        String home = System.getProperty("user.home");
        List<Path> sockets = new ArrayList<>(List.of(
                Path.of("/var/run/docker.sock"),
                Path.of(home, ".docker", "run", "docker.sock"),
                Path.of(home, ".docker", "desktop", "docker.sock"),
                Path.of(home, ".rd", "docker.sock"),
                Path.of(home, ".colima", "default", "docker.sock")));
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        if (runtimeDir != null && !runtimeDir.isBlank()) {
            sockets.add(Path.of(runtimeDir, "docker.sock"));
            sockets.add(Path.of(runtimeDir, "podman", "podman.sock"));
        }
        for (Path socket : sockets) {
            if (Files.exists(socket)) {
                hints.add(socket.toString());
            }
        }
        Path testcontainersProperties = Path.of(home, ".testcontainers.properties");
        if (Files.isRegularFile(testcontainersProperties)) {
            hints.add(testcontainersProperties.toString());
        }
        return hints;
    }
}
