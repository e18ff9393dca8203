package io.kif4j.grid;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * The driver's view of a grid: cells done, running, failed and retried, with an ETA from the mean time of the cells
 * finished so far. Executors call it from any thread; it prints a line on every change and at most every few
 * seconds otherwise ({@link #tick}).
 */
public final class GridProgress {

    private final int total;
    private final int alreadyDone;
    private final Consumer<String> console;
    private final long started = System.nanoTime();
    private int done, running, failed, retried, maxRunning = 1;
    private double cellSeconds;
    private String ui = "";

    public GridProgress(int total, int alreadyDone, Consumer<String> console) {
        this.total = total;
        this.alreadyDone = alreadyDone;
        this.console = console;
    }

    /** The engine's own UI, e.g. "Spark UI http://host:4040", shown with every line. */
    public synchronized void ui(String address) {
        ui = address == null ? "" : address;
    }

    /** An attempt at a cell began; {@code attempt} 0 is the first, a higher one is a retry. */
    public synchronized void started(String cell, int attempt) {
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (attempt > 0) {
            retried++;
        }
        print(cell + (attempt > 0 ? " started again (attempt " + (attempt + 1) + ")" : " started"));
    }

    /** An attempt ended: {@code ok} when the cell's run is complete. */
    public synchronized void ended(String cell, boolean ok, double seconds, String problem) {
        running = Math.max(0, running - 1);
        if (ok) {
            done++;
            cellSeconds += seconds;
        } else {
            failed++;
        }
        print(cell + (ok ? String.format(Locale.ROOT, " done in %.0fs", seconds) : " failed: " + problem));
    }

    public synchronized void tick() {
        print(null);
    }

    public synchronized String line() {
        int remaining = total - alreadyDone - done;
        String eta = done == 0 || remaining <= 0 ? "" : ", ETA " + duration(cellSeconds / done * remaining / maxRunning);
        return String.format(Locale.ROOT, "grid: %d/%d cells done (%d before), %d running, %d failed, %d retried, %s elapsed%s%s",
                alreadyDone + done, total, alreadyDone, running, failed, retried,
                duration((System.nanoTime() - started) / 1e9), eta, ui.isEmpty() ? "" : "  " + ui);
    }

    private void print(String event) {
        console.accept((event != null ? event + "\n" : "") + line());
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
