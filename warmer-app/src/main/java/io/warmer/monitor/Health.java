package io.warmer.monitor;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Liveness: whether the parts this process runs are in a running state. {@code GET /health} answers 200 when
 * {@link #healthy()}, else 503 naming the failing parts.
 *
 * @param parts the capture engine, the Streams application and Redis, those this process runs
 */
public record Health(boolean healthy, List<Part> parts) {

    /**
     * @param state  the part's own word for where it is, e.g. {@code RUNNING}, {@code REBALANCING}
     * @param detail what an operator needs to know, e.g. the error or the round trip; never a secret
     */
    public record Part(String name, boolean healthy, String state, String detail) {
    }

    public Health(List<Part> parts) {
        this(parts.stream().allMatch(Part::healthy), List.copyOf(parts));
    }

    /** One line naming every failing part and why, e.g. for a 503 and the log. */
    public String failing() {
        return parts.stream().filter(p -> !p.healthy())
                .map(p -> p.name() + ": " + p.state() + (p.detail() == null ? "" : " (" + p.detail() + ")"))
                .collect(Collectors.joining("; "));
    }
}
