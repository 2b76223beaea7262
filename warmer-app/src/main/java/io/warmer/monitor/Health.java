package io.warmer.monitor;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Liveness: whether the parts this process runs are in a running state. {@code GET /health} answers 200 when
 * {@link #healthy()}, else 503 naming the failing parts.
 *
 * @param state  the service's state ({@code io.warmer.service.ServiceState}), e.g. {@code streaming}
 * @param reason why it is in that state, in words
 * @param parts  the capture engine, the Streams application and Redis, those this process runs
 */
public record Health(String state, String reason, boolean healthy, List<Part> parts) {

    /**
     * @param state  the part's own word for where it is, e.g. {@code RUNNING}, {@code REBALANCING}
     * @param detail what an operator needs to know, e.g. the error or the round trip; never a secret
     */
    public record Part(String name, boolean healthy, String state, String detail) {
    }

    public Health(String state, String reason, List<Part> parts) {
        this(state, reason, parts.stream().allMatch(Part::healthy), List.copyOf(parts));
    }

    /** One line naming every failing part and why, e.g. for a 503 and the log. */
    public String failing() {
        return parts.stream().filter(p -> !p.healthy())
                .map(p -> p.name() + ": " + p.state() + (p.detail() == null ? "" : " (" + p.detail() + ")"))
                .collect(Collectors.joining("; "));
    }
}
