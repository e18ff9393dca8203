package io.kif4j.continual.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Shared Java2D plumbing of the report charts: fonts, colours, axis ticks, text placement and PNG encoding. */
final class Plot {

    static {
        // The charts are drawn into BufferedImages only; never try to reach a display (servers have none).
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font SMALL = FONT.deriveFont(10f);
    static final Font TITLE = FONT.deriveFont(Font.BOLD, 14f);
    static final Color MISSING = new Color(0xD0D0D0);
    static final Color AXIS = new Color(0x333333);
    static final Color GRID = new Color(0xE8E8E8);
    static final BasicStroke THIN = new BasicStroke(1f);

    /** Anchors of the sequential colour scale, dark (low) to bright (high); chosen for contrast in print and on screen. */
    private static final Color[] SCALE = {
            new Color(0x1B1F4B), new Color(0x2C4F93), new Color(0x2A8C9B), new Color(0x5DBB73), new Color(0xF2E45C)};

    /** Distinct line/bar colours; past the end, lines repeat them dashed. */
    private static final Color[] CATEGORIES = {
            new Color(0x1F5FA8), new Color(0xE0701A), new Color(0x2E9A3E), new Color(0xC8312F), new Color(0x7B52AB),
            new Color(0x7F5A3C), new Color(0xD45BAE), new Color(0x6E6E6E), new Color(0x9AA123), new Color(0x1BA6B8)};

    private Plot() {
    }

    /** A white RGB image. */
    static BufferedImage image(int width, int height) {
        BufferedImage img = new BufferedImage(Math.max(1, width), Math.max(1, height), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.dispose();
        return img;
    }

    static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setFont(FONT);
        return g;
    }

    /** A scratch graphics context to measure text before the image size is known. */
    static FontMetrics metrics(Font font) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(scratch);
        FontMetrics fm = g.getFontMetrics(font);
        g.dispose();
        return fm;
    }

    /** The PNG as a {@code data:image/png;base64,...} URI for an {@code <img src>}. */
    static String dataUri(BufferedImage img) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png(img));
    }

    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Colour of {@code t} in [0, 1] on the sequential scale (clamped). */
    static Color sequential(double t) {
        double x = Math.max(0, Math.min(1, t)) * (SCALE.length - 1);
        int i = Math.min(SCALE.length - 2, (int) Math.floor(x));
        double f = x - i;
        Color a = SCALE[i];
        Color b = SCALE[i + 1];
        return new Color(mix(a.getRed(), b.getRed(), f), mix(a.getGreen(), b.getGreen(), f), mix(a.getBlue(), b.getBlue(), f));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }

    static Color category(int i) {
        return CATEGORIES[Math.floorMod(i, CATEGORIES.length)];
    }

    /** Black or white, whichever reads better on {@code background}. */
    static Color textOn(Color background) {
        double luma = 0.299 * background.getRed() + 0.587 * background.getGreen() + 0.114 * background.getBlue();
        return luma > 140 ? Color.BLACK : Color.WHITE;
    }

    /** Round tick values (1, 2 or 5 × 10^k apart) covering [lo, hi] with about {@code target} ticks. */
    static double[] ticks(double lo, double hi, int target) {
        if (!(hi > lo)) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double step = tickStep(lo, hi, target);
        List<Double> out = new ArrayList<>();
        for (double v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
            out.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double tickStep(double lo, double hi, int target) {
        double rough = (hi - lo) / Math.max(1, target);
        double mag = Math.pow(10, Math.floor(Math.log10(rough)));
        double norm = rough / mag;
        double nice = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
        return nice * mag;
    }

    /** A tick label with as many decimals as the step needs. */
    static String tickLabel(double v, double step) {
        int decimals = step >= 1 ? 0 : (int) Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
        if (Math.abs(v) >= 1e5 || (v != 0 && Math.abs(v) < 1e-4)) {
            return String.format(Locale.ROOT, "%.2g", v);
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Draws {@code s} with its centre at x and its baseline at y. */
    static void centered(Graphics2D g, String s, double x, double y) {
        g.drawString(s, (float) (x - g.getFontMetrics().stringWidth(s) / 2.0), (float) y);
    }

    /** Draws {@code s} ending at x, baseline at y. */
    static void right(Graphics2D g, String s, double x, double y) {
        g.drawString(s, (float) (x - g.getFontMetrics().stringWidth(s)), (float) y);
    }

    /**
     * Draws {@code s} rotated 90° counter-clockwise (reading upwards), so that the text ends at (x, y) and its
     * glyphs sit to the left of x: a label hanging below an axis.
     */
    static void upwardsEndingAt(Graphics2D g, String s, double x, double y) {
        AffineTransform saved = g.getTransform();
        g.translate(x, y);
        g.rotate(-Math.PI / 2);
        g.drawString(s, -g.getFontMetrics().stringWidth(s), 0);
        g.setTransform(saved);
    }

    /** Draws {@code s} rotated 90° counter-clockwise, centred on y, baseline at x (a vertical axis title). */
    static void upwardsCentered(Graphics2D g, String s, double x, double y) {
        AffineTransform saved = g.getTransform();
        g.translate(x, y);
        g.rotate(-Math.PI / 2);
        g.drawString(s, -g.getFontMetrics().stringWidth(s) / 2f, 0);
        g.setTransform(saved);
    }

    /** {@code s} shortened with an ellipsis to at most {@code width} pixels. */
    static String fit(FontMetrics fm, String s, int width) {
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "…") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }
}
