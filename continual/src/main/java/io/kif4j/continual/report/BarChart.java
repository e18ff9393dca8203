package io.kif4j.continual.report;

import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/** A grouped bar chart drawn with Java2D (one group per method, one bar per metric), with ± std error bars. */
final class BarChart {

    private static final int MARGIN = 12;
    private static final int PLOT_H = 300;
    private static final int BAR_W = 20;
    private static final int GROUP_GAP = 26;

    private BarChart() {
    }

    /**
     * @param mean {@code mean[group][series]}, NaN for no value (no bar)
     * @param std  same shape, NaN for no error bar
     */
    static BufferedImage render(String title, String yLabel, List<String> groups, List<String> series, double[][] mean, double[][] std) {
        FontMetrics fm = Plot.metrics(Plot.FONT);
        FontMetrics small = Plot.metrics(Plot.SMALL);
        double lo = 0, hi = 0;
        for (int gI = 0; gI < groups.size(); gI++) {
            for (int s = 0; s < series.size(); s++) {
                double m = mean[gI][s];
                if (Double.isFinite(m)) {
                    double e = Double.isFinite(std[gI][s]) ? std[gI][s] : 0;
                    lo = Math.min(lo, m - e);
                    hi = Math.max(hi, m + e);
                }
            }
        }
        if (!(hi > lo)) {
            hi = lo + 1;
        }
        // The axis runs over whole tick steps, so negative bars (BWT) get a labelled tick below zero.
        double yStep = Plot.tickStep(lo, hi, 6);
        double y0 = Math.floor(lo / yStep - 1e-9) * yStep;
        double y1 = Math.ceil(hi / yStep + 1e-9) * yStep;
        double[] yt = Plot.ticks(y0, y1, (int) Math.round((y1 - y0) / yStep));
        int yTickW = 0;
        for (double v : yt) {
            yTickW = Math.max(yTickW, small.stringWidth(Plot.tickLabel(v, yStep)));
        }
        int groupW = series.size() * BAR_W + GROUP_GAP;
        int plotW = Math.max(300, groups.size() * groupW);
        int widestGroup = groups.stream().mapToInt(fm::stringWidth).max().orElse(0);
        boolean rotate = widestGroup > groupW - 4;
        int labelBand = rotate ? Math.min(widestGroup, 180) + 10 : fm.getHeight() + 8;
        int legendW = series.stream().mapToInt(fm::stringWidth).max().orElse(0) + 30;
        int left = MARGIN + fm.getHeight() + 6 + yTickW + 6;
        int top = MARGIN + fm.getHeight() + 14;
        int width = Math.max(left + plotW + 16 + legendW + MARGIN, Plot.metrics(Plot.TITLE).stringWidth(title) + 2 * MARGIN);
        int height = top + PLOT_H + labelBand + MARGIN;

        BufferedImage img = Plot.image(width, height);
        Graphics2D g = Plot.graphics(img);
        g.setColor(Color.BLACK);
        g.setFont(Plot.TITLE);
        g.drawString(title, MARGIN, MARGIN + g.getFontMetrics().getAscent());

        g.setFont(Plot.SMALL);
        for (double v : yt) {
            int py = py(v, y0, y1, top);
            g.setColor(Plot.GRID);
            g.drawLine(left, py, left + plotW, py);
            g.setColor(Color.BLACK);
            Plot.right(g, Plot.tickLabel(v, yStep), left - 5, py + small.getAscent() / 2.0 - 1);
        }
        g.setFont(Plot.FONT);
        Plot.upwardsCentered(g, yLabel, MARGIN + fm.getAscent(), top + PLOT_H / 2.0);

        int zero = py(0, y0, y1, top);
        for (int gI = 0; gI < groups.size(); gI++) {
            int gx = left + gI * groupW + GROUP_GAP / 2;
            for (int s = 0; s < series.size(); s++) {
                double m = mean[gI][s];
                int bx = gx + s * BAR_W;
                if (!Double.isFinite(m)) {
                    g.setColor(Plot.MISSING);
                    g.setFont(Plot.SMALL);
                    Plot.centered(g, "–", bx + BAR_W / 2.0, zero - 3);
                    continue;
                }
                int py = py(m, y0, y1, top);
                g.setColor(Plot.category(s));
                g.fillRect(bx + 1, Math.min(py, zero), BAR_W - 2, Math.max(1, Math.abs(zero - py)));
                double e = std[gI][s];
                if (Double.isFinite(e) && e > 0) {
                    g.setColor(Color.BLACK);
                    int a = py(m + e, y0, y1, top);
                    int b = py(m - e, y0, y1, top);
                    int cx = bx + BAR_W / 2;
                    g.drawLine(cx, a, cx, b);
                    g.drawLine(cx - 3, a, cx + 3, a);
                    g.drawLine(cx - 3, b, cx + 3, b);
                }
            }
            g.setColor(Color.BLACK);
            g.setFont(Plot.FONT);
            double cx = gx + series.size() * BAR_W / 2.0;
            if (rotate) {
                Plot.upwardsEndingAt(g, Plot.fit(fm, groups.get(gI), labelBand - 10), cx + (fm.getAscent() - fm.getDescent()) / 2.0, top + PLOT_H + 5);
            } else {
                Plot.centered(g, groups.get(gI), cx, top + PLOT_H + 4 + fm.getAscent());
            }
        }
        g.setColor(Plot.AXIS);
        g.drawLine(left, zero, left + plotW, zero);
        g.drawRect(left, top, plotW, PLOT_H);

        int lx = left + plotW + 16;
        g.setFont(Plot.FONT);
        for (int s = 0; s < series.size(); s++) {
            int ly = top + s * (fm.getHeight() + 4);
            g.setColor(Plot.category(s));
            g.fillRect(lx, ly + 2, 16, fm.getAscent() - 2);
            g.setColor(Color.BLACK);
            g.drawString(series.get(s), lx + 22, ly + fm.getAscent());
        }
        g.dispose();
        return img;
    }

    private static int py(double v, double y0, double y1, int top) {
        return (int) Math.round(top + PLOT_H - (v - y0) / (y1 - y0) * PLOT_H);
    }
}
