package io.warmer.service;

import io.warmer.capture.CaptureException;
import io.warmer.capture.ChangeTopicProvisioner;
import io.warmer.change.ChangeTopics;
import io.warmer.config.WarmerConfig;
import io.warmer.kafka.KafkaClients;
import io.warmer.kafka.KafkaRefusal;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * A materialize-only process reads topics that a capture process creates; without them Kafka
 * Streams would stop with an opaque error, so their absence is said plainly first.
 */
final class ChangeTopicsCheck {

    private static final long TIMEOUT_SECONDS = 30;

    private ChangeTopicsCheck() {
    }

    static void requireExisting(WarmerConfig config) {
        KafkaClients servers = config.kafka().clients();
        List<String> needed = config.tables().stream()
                .map(t -> ChangeTopics.topicFor(config.kafka().topicPrefix(), t)).toList();
        try (Admin admin = ChangeTopicProvisioner.connect(servers)) {
            ChangeTopicProvisioner.awaitReachable(admin, servers);
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<String> missing = needed.stream().filter(t -> !existing.contains(t)).toList();
            if (!missing.isEmpty()) {
                throw new CaptureException("The change topics " + missing + " do not exist on " + servers.where()
                        + " yet: start a process with --role capture (or all) for this configuration first.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("Interrupted while checking the change topics on " + servers.where(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new CaptureException(KafkaRefusal.explain(servers, e).orElse(servers.where() + " did not list its topics: " + e.getMessage()), e);
        }
    }
}
