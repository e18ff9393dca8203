package io.kif4j.lora.train;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import me.tongfei.progressbar.ProgressState;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Progress of a loop (training steps, evaluated examples) on stderr, through {@code me.tongfei:progressbar}: on a
 * terminal a bar with rate and ETA; elsewhere (a pipe, nohup, CI, a scheduler) one plain line every
 * {@value #DEFAULT_PLAIN_INTERVAL_MS} ms (-Dkif.progress.interval.ms), e.g.
 * {@code kif: train dbpedia: step 40/125 (32%), loss 2.3100, 14.2 examples/s, elapsed 35s, ETA 1m05s}.
 * {@code -Dkif.progress=off} silences both. Logs stay quiet.
 */
public final class Progress implements AutoCloseable {

    static final int DEFAULT_PLAIN_INTERVAL_MS = 10_000;
    private static final ThreadLocal<String> TASK = new ThreadLocal<>();

    /** A silent bar, for loops nobody watches. */
    public static final Progress NONE = new Progress(null, "step", 0, false);

    private final ProgressBar bar; // null: silent
    private final String unit;
    private final long total;
    private final boolean terminal; // the bar shows the rate itself
    private final long startNanos = System.nanoTime();

    private Progress(ProgressBar bar, String unit, long total, boolean terminal) {
        this.bar = bar;
        this.terminal = terminal;
        this.unit = unit;
        this.total = total;
    }

    public long total() {
        return total;
    }

    /** A bar of training steps, labelled with the current task (see {@link #task}). */
    public static Progress of(String label, int total) {
        return of(label, total, "step");
    }

    /**
     * A bar of {@code total} units ("step", "example"): on stderr as a bar when the process has a terminal, else as
     * plain periodic lines.
     */
    public static Progress of(String label, long total, String unit) {
        String mode = System.getProperty("kif.progress", "auto");
        if (mode.equals("off")) {
            return new Progress(null, unit, total, false);
        }
        boolean terminal = mode.equals("bar") || (mode.equals("auto") && System.console() != null);
        String name = TASK.get() != null ? label + " " + TASK.get() : label;
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(name).setInitialMax(total);
        if (terminal) {
            b.setConsumer(new ConsoleProgressBarConsumer(System.err)).setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" " + unit + "s", 1).showSpeed(new java.text.DecimalFormat("0.0"))
                    .setUpdateIntervalMillis(500);
        } else {
            // continuousUpdate: a line every interval even while one long batch runs (a sign of life); close()
            // renders the last state once more, which the consumer drops as a repeat.
            String[] last = {null};
            b.setConsumer(new DelegatingProgressBarConsumer(line -> {
                        if (!line.equals(last[0])) {
                            System.err.println(line);
                            System.err.flush();
                        }
                        last[0] = line;
                    }, 200)).setRenderer((state, width) -> plainLine(state, unit)).continuousUpdate()
                    .setUpdateIntervalMillis(Integer.getInteger("kif.progress.interval.ms", DEFAULT_PLAIN_INTERVAL_MS));
        }
        return new Progress(b.build(), unit, total, terminal);
    }

    /** Names the task the bars of {@code body} belong to ("train dbpedia"), for this thread. */
    public static <T> T task(String name, Supplier<T> body) {
        String before = TASK.get();
        TASK.set(name);
        try {
            return body.get();
        } finally {
            TASK.set(before);
        }
    }

    /** Training: {@code done} steps, the last step's loss, {@code examples} seen so far. */
    public void update(long done, double loss, long examples) {
        String lossText = String.format(Locale.ROOT, "loss %.4f", loss);
        update(done, terminal ? " · " + lossText : lossText + ", " + rate(examples, "examples"));
    }

    /** Any loop: {@code done} units and a short detail (e.g. the rate), shown after the count. */
    public void update(long done, String detail) {
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(detail);
        }
    }

    /** Evaluation and the like, where the unit is the example: done and examples/s. */
    public void examplesDone(long done) {
        update(done, terminal ? "" : rate(done, unit + "s"));
    }

    private String rate(long count, String what) {
        double secs = Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
        return String.format(Locale.ROOT, "%.1f %s/s", count / secs, what);
    }

    /** "kif: train dbpedia: step 40/125 (32%), loss 2.3100, 14.2 examples/s, elapsed 35s, ETA 1m05s". */
    static String plainLine(ProgressState s, String unit) {
        long done = s.getCurrent() - s.getStart();
        long max = s.getMax() - s.getStart();
        StringBuilder line = new StringBuilder("kif: ").append(s.getTaskName()).append(": ").append(unit).append(' ')
                .append(s.getCurrent()).append('/').append(s.getMax());
        if (max > 0) {
            line.append(String.format(Locale.ROOT, " (%d%%)", 100 * s.getCurrent() / s.getMax()));
        }
        if (s.getExtraMessage() != null && !s.getExtraMessage().isEmpty()) {
            line.append(", ").append(s.getExtraMessage());
        }
        Duration elapsed = s.getElapsedAfterStart();
        if (done >= max && max > 0) {
            line.append(", took ").append(duration(elapsed));
        } else {
            line.append(", elapsed ").append(duration(elapsed));
            if (done > 0) {
                line.append(", ETA ").append(duration(elapsed.multipliedBy(max - done).dividedBy(done)));
            }
        }
        return line.toString();
    }

    static String duration(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
