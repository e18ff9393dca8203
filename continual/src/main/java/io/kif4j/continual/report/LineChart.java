package io.kif4j.continual.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;

/** A line chart drawn with Java2D: one line per series, a legend on the right. */
final class LineChart {

    /** One line; x and y have the same length. */
    record Series(String label, double[] x, double[] y) {
    }

    private static final int MARGIN = 12;
    private static final int PLOT_W = 620;
    private static final int PLOT_H = 320;

    private LineChart() {
    }

    static BufferedImage render(String title, String xLabel, String yLabel, List<Series> series) {
        FontMetrics fm = Plot.metrics(Plot.FONT);
        FontMetrics small = Plot.metrics(Plot.SMALL);
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                    xMin = Math.min(xMin, s.x()[i]);
                    xMax = Math.max(xMax, s.x()[i]);
                    yMin = Math.min(yMin, s.y()[i]);
                    yMax = Math.max(yMax, s.y()[i]);
                }
            }
        }
        if (xMin > xMax) {
            xMin = 0;
            xMax = 1;
            yMin = 0;
            yMax = 1;
        }
        // Losses are positive: anchor the axis at 0 unless that would squash the curves.
        if (yMin >= 0 && yMin < 0.5 * yMax) {
            yMin = 0;
        }
        double[] xt = Plot.ticks(xMin, xMax, 8);
        double yStepNice = Plot.tickStep(yMin, yMax > yMin ? yMax : yMin + 1, 6);
        double y0 = Math.floor(yMin / yStepNice + 1e-9) * yStepNice;
        double y1 = Math.ceil(yMax / yStepNice - 1e-9) * yStepNice;
        double[] yt = Plot.ticks(y0, y1, Math.max(1, (int) Math.round((y1 - y0) / yStepNice)));
        double x0 = Math.min(xMin, xt[0]), x1 = Math.max(xMax, xt[xt.length - 1]);
        if (!(x1 > x0)) {
            x1 = x0 + 1;
        }
        if (!(y1 > y0)) {
            y1 = y0 + 1;
        }
        double xStep = xt.length > 1 ? xt[1] - xt[0] : 1;
        double yStep = yt.length > 1 ? yt[1] - yt[0] : 1;
        int yTickW = 0;
        for (double v : yt) {
            yTickW = Math.max(yTickW, small.stringWidth(Plot.tickLabel(v, yStep)));
        }
        int legendW = series.stream().mapToInt(s -> fm.stringWidth(s.label())).max().orElse(0) + 34;
        int left = MARGIN + fm.getHeight() + 6 + yTickW + 6;
        int top = MARGIN + fm.getHeight() + 12;
        int width = left + PLOT_W + 16 + legendW + MARGIN;
        int legendH = series.size() * (fm.getHeight() + 2);
        int height = Math.max(top + PLOT_H + small.getHeight() + fm.getHeight() + 16 + MARGIN, top + legendH + MARGIN);
        width = Math.max(width, Plot.metrics(Plot.TITLE).stringWidth(title) + 2 * MARGIN);

        BufferedImage img = Plot.image(width, height);
        Graphics2D g = Plot.graphics(img);
        g.setColor(Color.BLACK);
        g.setFont(Plot.TITLE);
        g.drawString(title, MARGIN, MARGIN + g.getFontMetrics().getAscent());

        // Grid and ticks.
        g.setFont(Plot.SMALL);
        for (double v : yt) {
            int py = (int) Math.round(top + PLOT_H - (v - y0) / (y1 - y0) * PLOT_H);
            g.setColor(Plot.GRID);
            g.drawLine(left, py, left + PLOT_W, py);
            g.setColor(Color.BLACK);
            Plot.right(g, Plot.tickLabel(v, yStep), left - 5, py + small.getAscent() / 2.0 - 1);
        }
        for (double v : xt) {
            int px = (int) Math.round(left + (v - x0) / (x1 - x0) * PLOT_W);
            g.setColor(Plot.GRID);
            g.drawLine(px, top, px, top + PLOT_H);
            g.setColor(Color.BLACK);
            Plot.centered(g, Plot.tickLabel(v, xStep), px, top + PLOT_H + small.getAscent() + 4);
        }
        g.setColor(Plot.AXIS);
        g.drawRect(left, top, PLOT_W, PLOT_H);
        g.setFont(Plot.FONT);
        g.setColor(Color.BLACK);
        Plot.centered(g, xLabel, left + PLOT_W / 2.0, top + PLOT_H + small.getHeight() + 6 + fm.getAscent());
        Plot.upwardsCentered(g, yLabel, MARGIN + fm.getAscent(), top + PLOT_H / 2.0);

        // Lines, clipped to the plot area.
        java.awt.Shape savedClip = g.getClip();
        g.setClip(left, top, PLOT_W + 1, PLOT_H + 1);
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            g.setColor(Plot.category(k));
            g.setStroke(stroke(k));
            Path2D.Double path = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) {
                    started = false;
                    continue;
                }
                double px = left + (s.x()[i] - x0) / (x1 - x0) * PLOT_W;
                double py = top + PLOT_H - (s.y()[i] - y0) / (y1 - y0) * PLOT_H;
                if (started) {
                    path.lineTo(px, py);
                } else {
                    path.moveTo(px, py);
                    started = true;
                }
            }
            g.draw(path);
            if (s.x().length == 1) {
                double px = left + (s.x()[0] - x0) / (x1 - x0) * PLOT_W;
                double py = top + PLOT_H - (s.y()[0] - y0) / (y1 - y0) * PLOT_H;
                g.fillOval((int) px - 2, (int) py - 2, 5, 5);
            }
        }
        g.setClip(savedClip);

        // Legend.
        g.setFont(Plot.FONT);
        int lx = left + PLOT_W + 16;
        for (int k = 0; k < series.size(); k++) {
            int ly = top + k * (fm.getHeight() + 2) + fm.getAscent();
            g.setColor(Plot.category(k));
            g.setStroke(stroke(k));
            g.drawLine(lx, ly - fm.getAscent() / 2 + 1, lx + 24, ly - fm.getAscent() / 2 + 1);
            g.setStroke(Plot.THIN);
            g.setColor(Color.BLACK);
            g.drawString(series.get(k).label(), lx + 30, ly);
        }
        g.dispose();
        return img;
    }

    /** Solid for the first ten series, dashed for the next ten, dotted after: fifteen tasks stay distinguishable. */
    private static BasicStroke stroke(int k) {
        int style = k / 10;
        if (style == 0) {
            return new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        }
        float[] dash = style == 1 ? new float[]{7f, 4f} : new float[]{2f, 3f};
        return new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f);
    }
}
