package io.warmer.bench;

import java.util.ArrayList;
import java.util.List;

/** Samples of a growing count over a workload's time, for a chart of its rate. */
final class Timeline {

    /** A count at {@code seconds} after the workload started. */
    record Point(double seconds, double value) {
    }

    private final String name;
    private final List<Point> points = new ArrayList<>();

    Timeline(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    void add(double seconds, double value) {
        points.add(new Point(seconds, value));
    }

    List<Point> points() {
        return List.copyOf(points);
    }

    /** The rate per second over each window of about {@code windowSeconds}, placed at the window's end. */
    List<Point> rates(double windowSeconds) {
        List<Point> rates = new ArrayList<>();
        Point from = points.isEmpty() ? null : points.get(0);
        for (Point p : points) {
            if (p.seconds() - from.seconds() >= windowSeconds) {
                rates.add(new Point(p.seconds(), (p.value() - from.value()) / (p.seconds() - from.seconds())));
                from = p;
            }
        }
        return rates;
    }
}
