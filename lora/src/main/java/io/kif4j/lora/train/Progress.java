package io.kif4j.lora.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr (only when it is a terminal), with loss and tokens/s. Logs stay quiet.
 */
public final class Progress implements AutoCloseable {

    private final String label;
    private final int total;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private long lastDraw;

    private Progress(String label, int total, PrintStream out) {
        this.label = label;
        this.total = total;
        this.out = out;
    }

    /** A bar on stderr when stderr is an interactive terminal, else a silent one. */
    public static Progress of(String label, int total) {
        return new Progress(label, total, System.console() != null ? System.err : null);
    }

    public void update(int done, double loss, long tokens) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && done < total) {
            return;
        }
        lastDraw = now;
        double secs = (now - start) / 1e9;
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) width * done / total);
        out.print(String.format(Locale.ROOT, "\r%s [%s%s] %d/%d loss %.4f  %.0f tok/s  %.0fs ", label,
                "#".repeat(filled), ".".repeat(width - filled), done, total, loss, tokens / Math.max(secs, 1e-9), secs));
        out.flush();
    }

    @Override
    public void close() {
        if (out != null) {
            out.println();
        }
    }
}
