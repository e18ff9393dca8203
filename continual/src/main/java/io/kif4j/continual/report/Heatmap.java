package io.kif4j.continual.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * A heatmap drawn with Java2D: one or more panels stacked vertically (say a T5 encoder and decoder), sharing one
 * colour scale shown as a colour bar. Unmeasured cells (NaN) are grey. Columns may be grouped (module kind ×
 * unit index) with a bracket and a label under each group.
 */
final class Heatmap {

    /** Columns {@code [from, to)} form a group; {@code labels} are alternatives, longest first, the first that fits is drawn. */
    record Group(List<String> labels, int from, int to) {
    }

    /** One block of the heatmap: {@code values[row][column]}, NaN for an empty cell. */
    record Panel(String title, List<String> rows, List<String> columns, List<Group> groups, double[][] values) {
    }

    /**
     * @param rowAxis    title of the vertical axis (may be null)
     * @param columnAxis title under the last panel (may be null)
     * @param scaleLabel title of the colour bar
     * @param cellText   write each value (one decimal) into its cell
     */
    record Style(String title, String rowAxis, String columnAxis, String scaleLabel, double min, double max, boolean cellText) {
    }

    private static final int MARGIN = 12;
    private static final int PANEL_GAP = 16;
    private static final int BAR_W = 14;

    private Heatmap() {
    }

    static BufferedImage render(Style style, List<Panel> panels) {
        double min = style.min();
        double max = style.max();
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            min = 0;
            max = 1;
        }
        if (!(max > min)) {
            max = min + (min == 0 ? 1 : Math.abs(min) * 0.01);
        }
        FontMetrics fm = Plot.metrics(Plot.FONT);
        FontMetrics small = Plot.metrics(Plot.SMALL);
        int maxCols = Math.max(1, panels.stream().mapToInt(p -> p.columns().size()).max().orElse(1));
        int totalRows = Math.max(1, panels.stream().mapToInt(p -> p.rows().size()).sum());

        int cellW = style.cellText()
                ? Math.max(44, fm.stringWidth("100.0") + 10)
                : clamp((int) Math.round(720.0 / maxCols), 8, 40);
        int cellH = style.cellText() ? 24 : clamp((int) Math.round(440.0 / totalRows), 10, 20);
        FontMetrics rowFm = cellH >= 14 ? fm : small;
        int rowLabelW = panels.stream().flatMap(p -> p.rows().stream()).mapToInt(rowFm::stringWidth).max().orElse(0);

        int left = MARGIN + (style.rowAxis() == null ? 0 : 20) + rowLabelW + 6;
        int gridW = maxCols * cellW;
        int top = MARGIN + fm.getHeight() + 10;

        // Vertical layout of each panel: title, grid, column labels, group labels.
        int[] panelTop = new int[panels.size()];
        ColumnLabels[] colLabels = new ColumnLabels[panels.size()];
        GroupLabels[] groupLabels = new GroupLabels[panels.size()];
        int y = top;
        for (int p = 0; p < panels.size(); p++) {
            Panel panel = panels.get(p);
            panelTop[p] = y;
            colLabels[p] = ColumnLabels.layout(panel.columns(), cellW, small);
            groupLabels[p] = GroupLabels.layout(panel.groups(), cellW, fm);
            y += titleBand(panel) + panel.rows().size() * cellH + colLabels[p].height() + groupLabels[p].height();
            if (p < panels.size() - 1) {
                y += PANEL_GAP;
            }
        }
        int columnAxisBand = style.columnAxis() == null ? 0 : fm.getHeight() + 6;
        int height = y + columnAxisBand + MARGIN;

        double[] ticks = Plot.ticks(min, max, 5);
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : Plot.tickStep(min, max, 5);
        int tickW = 0;
        for (double t : ticks) {
            tickW = Math.max(tickW, small.stringWidth(Plot.tickLabel(t, step)));
        }
        int barX = left + gridW + 22;
        int width = barX + BAR_W + 6 + tickW + 8 + fm.getHeight() + MARGIN;
        width = Math.max(width, Plot.metrics(Plot.TITLE).stringWidth(style.title()) + 2 * MARGIN);
        int firstGridTop = panels.isEmpty() ? top : panelTop[0] + titleBand(panels.get(0));
        int gridsBottom = panels.isEmpty() ? top + 100
                : panelTop[panels.size() - 1] + titleBand(panels.get(panels.size() - 1)) + panels.get(panels.size() - 1).rows().size() * cellH;
        int barH = clamp(gridsBottom - firstGridTop, 100, 320);
        height = Math.max(height, firstGridTop + barH + MARGIN);

        BufferedImage img = Plot.image(width, height);
        Graphics2D g = Plot.graphics(img);
        g.setColor(Color.BLACK);
        g.setFont(Plot.TITLE);
        g.drawString(style.title(), MARGIN, MARGIN + g.getFontMetrics().getAscent());

        for (int p = 0; p < panels.size(); p++) {
            Panel panel = panels.get(p);
            int py = panelTop[p];
            if (!panel.title().isEmpty()) {
                g.setFont(Plot.FONT.deriveFont(java.awt.Font.BOLD));
                g.setColor(Color.BLACK);
                g.drawString(panel.title(), left, py + fm.getAscent());
            }
            int gy = py + titleBand(panel);
            drawGrid(g, panel, left, gy, cellW, cellH, min, max, style.cellText(), fm);
            drawRowLabels(g, panel.rows(), left, gy, cellH, rowFm);
            int ly = gy + panel.rows().size() * cellH;
            colLabels[p].draw(g, panel.columns(), left, ly, cellW, small);
            groupLabels[p].draw(g, panel.groups(), left, ly + colLabels[p].height(), cellW, fm);
        }
        g.setFont(Plot.FONT);
        g.setColor(Color.BLACK);
        if (style.rowAxis() != null) {
            Plot.upwardsCentered(g, style.rowAxis(), MARGIN + fm.getAscent(), (firstGridTop + gridsBottom) / 2.0);
        }
        if (style.columnAxis() != null) {
            Plot.centered(g, style.columnAxis(), left + gridW / 2.0, y + fm.getAscent() + 2);
        }
        drawColourBar(g, barX, firstGridTop, barH, min, max, ticks, step, style.scaleLabel(), small, fm);
        g.dispose();
        return img;
    }

    private static int titleBand(Panel panel) {
        return panel.title().isEmpty() ? 0 : 20;
    }

    private static void drawGrid(Graphics2D g, Panel panel, int x0, int y0, int cellW, int cellH,
                                 double min, double max, boolean cellText, FontMetrics fm) {
        int rows = panel.rows().size();
        int cols = panel.columns().size();
        g.setFont(Plot.FONT);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = panel.values()[r][c];
                Color fill = Double.isNaN(v) ? Plot.MISSING : Plot.sequential((v - min) / (max - min));
                g.setColor(fill);
                g.fillRect(x0 + c * cellW, y0 + r * cellH, cellW, cellH);
                if (cellText && !Double.isNaN(v)) {
                    g.setColor(Plot.textOn(fill));
                    Plot.centered(g, String.format(Locale.ROOT, "%.1f", v), x0 + c * cellW + cellW / 2.0,
                            y0 + r * cellH + (cellH + fm.getAscent() - fm.getDescent()) / 2.0);
                }
            }
        }
        // White gaps between column groups make the module kinds readable at a glance.
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(2f));
        for (Group group : panel.groups()) {
            if (group.from() > 0) {
                g.drawLine(x0 + group.from() * cellW, y0, x0 + group.from() * cellW, y0 + rows * cellH);
            }
        }
        g.setStroke(Plot.THIN);
        g.setColor(Plot.AXIS);
        g.drawRect(x0, y0, cols * cellW, rows * cellH);
    }

    private static void drawRowLabels(Graphics2D g, List<String> rows, int x0, int y0, int cellH, FontMetrics rowFm) {
        g.setFont(rowFm.getFont());
        g.setColor(Color.BLACK);
        int every = Math.max(1, (int) Math.ceil((double) rowFm.getAscent() / cellH));
        for (int r = 0; r < rows.size(); r += every) {
            Plot.right(g, rows.get(r), x0 - 5, y0 + r * cellH + (cellH + rowFm.getAscent() - rowFm.getDescent()) / 2.0);
        }
    }

    private static void drawColourBar(Graphics2D g, int x, int y, int h, double min, double max, double[] ticks,
                                      double step, String label, FontMetrics small, FontMetrics fm) {
        for (int i = 0; i < h; i++) {
            g.setColor(Plot.sequential(1.0 - (double) i / (h - 1)));
            g.fillRect(x, y + i, BAR_W, 1);
        }
        g.setColor(Plot.AXIS);
        g.drawRect(x, y, BAR_W, h);
        g.setFont(Plot.SMALL);
        int labelW = 0;
        for (double t : ticks) {
            if (t < min - 1e-12 || t > max + 1e-12) {
                continue;
            }
            int ty = (int) Math.round(y + (1 - (t - min) / (max - min)) * h);
            g.drawLine(x + BAR_W, ty, x + BAR_W + 3, ty);
            String s = Plot.tickLabel(t, step);
            labelW = Math.max(labelW, small.stringWidth(s));
            g.drawString(s, x + BAR_W + 6, ty + small.getAscent() / 2 - 1);
        }
        g.setFont(Plot.FONT);
        g.setColor(Color.BLACK);
        Plot.upwardsCentered(g, label, x + BAR_W + 6 + Math.max(labelW, 10) + 6 + fm.getAscent(), y + h / 2.0);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** Column labels under the grid: horizontal when they fit a cell, else rotated, thinned when cells are narrow. */
    private record ColumnLabels(boolean rotated, int every, int height) {

        static ColumnLabels layout(List<String> labels, int cellW, FontMetrics small) {
            int widest = labels.stream().mapToInt(small::stringWidth).max().orElse(0);
            if (widest == 0) {
                return new ColumnLabels(false, 1, 0);
            }
            if (widest <= cellW - 2) {
                return new ColumnLabels(false, 1, small.getHeight() + 2);
            }
            int every = Math.max(1, (int) Math.ceil((small.getAscent() + 1.0) / cellW));
            return new ColumnLabels(true, every, Math.min(widest, 160) + 6);
        }

        void draw(Graphics2D g, List<String> labels, int x0, int y0, int cellW, FontMetrics small) {
            if (height == 0) {
                return;
            }
            g.setFont(Plot.SMALL);
            g.setColor(Color.BLACK);
            for (int c = 0; c < labels.size(); c += every) {
                double cx = x0 + c * cellW + cellW / 2.0;
                if (rotated) {
                    String s = Plot.fit(small, labels.get(c), height - 6);
                    // Reads upwards, its end just under the grid.
                    Plot.upwardsEndingAt(g, s, cx + (small.getAscent() - small.getDescent()) / 2.0, y0 + 3);
                } else {
                    Plot.centered(g, labels.get(c), cx, y0 + small.getAscent() + 1);
                }
            }
        }
    }

    /** Group labels: a bracket under each group and its label, the longest alternative that fits, else rotated. */
    private record GroupLabels(int choice, boolean rotated, int height) {

        static GroupLabels layout(List<Group> groups, int cellW, FontMetrics fm) {
            if (groups.isEmpty()) {
                return new GroupLabels(0, false, 0);
            }
            int alternatives = groups.stream().mapToInt(gr -> gr.labels().size()).min().orElse(1);
            for (int a = 0; a < alternatives; a++) {
                boolean fits = true;
                for (Group gr : groups) {
                    fits &= fm.stringWidth(gr.labels().get(a)) <= (gr.to() - gr.from()) * cellW - 4;
                }
                if (fits) {
                    return new GroupLabels(a, false, fm.getHeight() + 8);
                }
            }
            int last = alternatives - 1;
            int widest = groups.stream().mapToInt(gr -> fm.stringWidth(gr.labels().get(last))).max().orElse(0);
            return new GroupLabels(last, true, widest + 12);
        }

        void draw(Graphics2D g, List<Group> groups, int x0, int y0, int cellW, FontMetrics fm) {
            if (height == 0) {
                return;
            }
            g.setFont(Plot.FONT);
            for (Group gr : groups) {
                int a = x0 + gr.from() * cellW + 2;
                int b = x0 + gr.to() * cellW - 2;
                g.setColor(Plot.AXIS);
                g.drawLine(a, y0 + 4, b, y0 + 4);
                g.drawLine(a, y0 + 1, a, y0 + 4);
                g.drawLine(b, y0 + 1, b, y0 + 4);
                g.setColor(Color.BLACK);
                String s = gr.labels().get(choice);
                if (rotated) {
                    Plot.upwardsEndingAt(g, s, (a + b) / 2.0 + (fm.getAscent() - fm.getDescent()) / 2.0, y0 + 8);
                } else {
                    Plot.centered(g, s, (a + b) / 2.0, y0 + 6 + fm.getAscent());
                }
            }
        }
    }
}
