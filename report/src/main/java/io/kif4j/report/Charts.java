package io.kif4j.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The reports' charts, drawn by XChart and embedded as PNG data URIs (the HTML stays one self-contained file):
 * heatmaps (the accuracy matrix, importance per layer × unit, one panel per stack sharing one colour range), line
 * charts (training loss) and grouped bars with error bars (the comparison).
 */
final class Charts {

    /** Columns {@code [from, to)} form a group; {@code labels} are alternatives, longest first (the shortest is used on the axis). */
    record Group(List<String> labels, int from, int to) {
    }

    /** One block of a heatmap: {@code values[row][column]}, NaN for an empty cell. */
    record Panel(String title, List<String> rows, List<String> columns, List<Group> groups, double[][] values) {
    }

    /**
     * @param rowAxis    title of the vertical axis (may be null)
     * @param columnAxis title of the horizontal axis (may be null)
     * @param scaleLabel what the colours mean (the series name, shown with the colour bar)
     * @param cellText   write each value (one decimal) into its cell
     */
    record HeatmapStyle(String title, String rowAxis, String columnAxis, String scaleLabel, double min, double max,
                        boolean cellText) {
    }

    /** One line; x and y have the same length. */
    record Series(String label, double[] x, double[] y) {
    }

    /** Dark (low) to bright (high): contrast in print and on screen. */
    private static final Color[] SCALE = {
            new Color(0x1B1F4B), new Color(0x2C4F93), new Color(0x2A8C9B), new Color(0x5DBB73), new Color(0xF2E45C)};

    /** Light to medium (for heatmaps with values written in the cells, in black, readable on every colour). */
    private static final Color[] LIGHT_SCALE = {
            new Color(0xFFFFE5), new Color(0xFEE391), new Color(0xFEC44F), new Color(0xFB9A29), new Color(0xE0602A)};

    private Charts() {
    }

    /** Stacked panels (e.g. a T5 encoder over its decoder), one colour range for all; the first carries the title. */
    static BufferedImage heatmap(HeatmapStyle style, List<Panel> panels) {
        double min = Double.isFinite(style.min()) ? style.min() : 0;
        double max = Double.isFinite(style.max()) ? style.max() : 1;
        if (!(max > min)) {
            max = min + (min == 0 ? 1 : Math.abs(min) * 0.01);
        }
        List<BufferedImage> images = new ArrayList<>();
        for (int p = 0; p < panels.size(); p++) {
            Panel panel = panels.get(p);
            String title = p == 0 ? style.title() + (panel.title().isEmpty() ? "" : " — " + panel.title()) : panel.title();
            images.add(image(heatmapPanel(title, style, panel, min, max)));
        }
        return stack(images);
    }

    private static HeatMapChart heatmapPanel(String title, HeatmapStyle style, Panel panel, double min, double max) {
        int rows = panel.rows().size();
        int cols = panel.columns().size();
        int cellW = style.cellText() ? 64 : Math.max(10, Math.min(40, 760 / Math.max(1, cols)));
        int cellH = style.cellText() ? 30 : Math.max(14, Math.min(24, 360 / Math.max(1, rows)));
        HeatMapChart chart = new HeatMapChartBuilder().title(title)
                .xAxisTitle(style.columnAxis() == null ? "" : style.columnAxis())
                .yAxisTitle(style.rowAxis() == null ? "" : style.rowAxis())
                .width(Math.max(480, 260 + cols * cellW)).height(Math.max(320, 170 + rows * cellH)).build();
        var s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setRangeColors(style.cellText() ? LIGHT_SCALE : SCALE).setMin(min).setMax(max).setShowValue(style.cellText())
                .setHeatMapValueDecimalPattern("0.0").setValueFontColor(Color.BLACK);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setGradientColorColumnHeight(Math.max(120, Math.min(260, rows * cellH))); // the colour bar, within the chart
        s.setPlotGridLinesVisible(false);
        if (!style.cellText() && cols > 12) {
            s.setXAxisLabelRotation(90);
        }
        // XChart counts rows from the bottom: the first row goes on top, as in a table.
        List<String> yLabels = new ArrayList<>(panel.rows());
        java.util.Collections.reverse(yLabels);
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = panel.values()[r][c];
                if (Double.isFinite(v)) { // an empty (NaN) cell stays blank
                    cells.add(new Number[]{c, rows - 1 - r, v});
                }
            }
        }
        chart.addSeries(style.scaleLabel(), columnLabels(panel), yLabels, cells);
        return chart;
    }

    /** Column labels with the group's short name on its first column ("q_proj 0", "1", ...). */
    private static List<String> columnLabels(Panel panel) {
        List<String> labels = new ArrayList<>(panel.columns());
        for (Group g : panel.groups()) {
            String name = g.labels().get(g.labels().size() - 1);
            labels.set(g.from(), name + " " + labels.get(g.from()));
        }
        // XChart keys categories by value: make repeated labels distinct without changing what they read.
        List<String> unique = new ArrayList<>();
        for (String l : labels) {
            String u = l;
            while (unique.contains(u)) {
                u = u + "\u200B";
            }
            unique.add(u);
        }
        return unique;
    }

    static BufferedImage lines(String title, String xLabel, String yLabel, List<Series> series) {
        XYChart chart = new XYChartBuilder().title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).width(820).height(420).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE).setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(0);
        for (Series s : series) {
            XYSeries xy = chart.addSeries(s.label(), s.x(), s.y());
            xy.setMarker(SeriesMarkers.NONE);
        }
        return image(chart);
    }

    /**
     * @param mean {@code mean[group][series]}, NaN for no value (no bar)
     * @param std  same shape, NaN for no error bar
     */
    static BufferedImage bars(String title, String yLabel, List<String> groups, List<String> series, double[][] mean, double[][] std) {
        CategoryChart chart = new CategoryChartBuilder().title(title).yAxisTitle(yLabel)
                .width(Math.max(560, 180 + groups.size() * series.size() * 28)).height(440).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE).setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setErrorBarsColor(Color.BLACK);
        if (groups.size() > 4) {
            chart.getStyler().setXAxisLabelRotation(45);
        }
        for (int s = 0; s < series.size(); s++) {
            List<Double> y = new ArrayList<>();
            List<Double> e = new ArrayList<>();
            for (int g = 0; g < groups.size(); g++) {
                y.add(Double.isFinite(mean[g][s]) ? mean[g][s] : null); // XChart leaves a null bar out
                e.add(Double.isFinite(std[g][s]) ? std[g][s] : 0.0);
            }
            chart.addSeries(series.get(s), groups, y, e);
        }
        return image(chart);
    }

    private static BufferedImage image(Chart<?, ?> chart) {
        return BitmapEncoder.getBufferedImage(chart);
    }

    private static BufferedImage stack(List<BufferedImage> images) {
        if (images.size() == 1) {
            return images.get(0);
        }
        int w = images.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
        int h = images.stream().mapToInt(BufferedImage::getHeight).sum();
        BufferedImage all = new BufferedImage(w, Math.max(1, h), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int y = 0;
        for (BufferedImage i : images) {
            g.drawImage(i, 0, y, null);
            y += i.getHeight();
        }
        g.dispose();
        return all;
    }

    /** The PNG as a {@code data:image/png;base64,...} URI for an {@code <img src>}. */
    static String dataUri(BufferedImage img) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png(img));
    }

    static byte[] png(BufferedImage img) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            if (!javax.imageio.ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
