package io.warmer.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The PNG charts of a run (JFreeChart, headless): W1's rates over time and W2's latency over time. */
final class Charts {

    static final int WIDTH = 900;
    static final int HEIGHT = 450;

    private Charts() {
    }

    /** Rows per second reaching Kafka and Redis during W1, per second of the run. */
    static Path w1(Path dir, SnapshotWorkload.Outcome w1, long rows) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(series("rows/s into Redis (keys ÷ 2)", w1.cached().rates(1.0)));
        data.addSeries(series("rows/s into Kafka (change topic end offsets)", w1.captured().rates(1.0)));
        JFreeChart chart = ChartFactory.createXYLineChart(String.format("W1: snapshot of %,d rows, rows/s over time"
                        + " (%.1f s end to end)", rows, w1.seconds()), "seconds since Warmer's JVM started", "rows/s",
                data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        return save(chart, dir.resolve("w1-rows-per-second.png"));
    }

    /** W2's p50, p99 and p99.9 per second, one colour per rate. */
    static Path w2(Path dir, List<LatencyWorkload.Outcome> outcomes) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (LatencyWorkload.Outcome o : outcomes) {
            XYSeries p50 = new XYSeries(String.format("%,d/s p50", o.rate()));
            XYSeries p99 = new XYSeries(String.format("%,d/s p99", o.rate()));
            XYSeries p999 = new XYSeries(String.format("%,d/s p99.9", o.rate()));
            for (LatencyWorkload.Second s : o.seconds()) {
                if (s.count() > 0) {
                    p50.add(s.seconds(), s.p50());
                    p99.add(s.seconds(), s.p99());
                    p999.add(s.seconds(), s.p999());
                }
            }
            data.addSeries(p50);
            data.addSeries(p99);
            data.addSeries(p999);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("W2: change-to-Redis latency per second of the run",
                "seconds since pgbench started", "ms", data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        XYPlot plot = chart.getXYPlot();
        ((NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(new DecimalFormat("#,##0"));
        // One colour per rate; p50 solid, p99 dashed, p99.9 dotted.
        Color[] colours = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};
        float[][] dashes = {null, {6f, 4f}, {2f, 3f}};
        for (int i = 0; i < plot.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesPaint(i, colours[(i / 3) % colours.length]);
            float[] dash = dashes[i % 3];
            plot.getRenderer().setSeriesStroke(i, dash == null ? new BasicStroke(1.8f)
                    : new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
        }
        return save(chart, dir.resolve("w2-latency.png"));
    }

    private static XYSeries series(String name, List<Timeline.Point> points) {
        XYSeries s = new XYSeries(name);
        points.forEach(p -> s.add(p.seconds(), p.value()));
        return s;
    }

    private static void style(JFreeChart chart) {
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (int i = 0; i < plot.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(1.5f));
        }
    }

    private static Path save(JFreeChart chart, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }
}
