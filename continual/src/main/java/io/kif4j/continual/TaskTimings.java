package io.kif4j.continual;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Wall-clock seconds one task spent per phase, as {@code metrics.json} ({@code timings.per_task}) and each task's
 * {@code done.json} ({@code timing}) record them: {@code train_s} (the trainer's loops), {@code fuse_s} (the
 * method's own work after training: importance aggregation, fusion, EMA), {@code eval_s} (scoring every seen task
 * and the next), {@code write_s} (adapter, predictions, losses, metrics), and {@code total_s}.
 */
public final class TaskTimings {

    public static final String TRAIN = "train_s";
    public static final String FUSE = "fuse_s";
    public static final String EVAL = "eval_s";
    public static final String WRITE = "write_s";
    public static final String TOTAL = "total_s";

    private final Map<String, Double> seconds = new LinkedHashMap<>();

    public TaskTimings() {
        for (String phase : new String[]{TRAIN, FUSE, EVAL, WRITE, TOTAL}) {
            seconds.put(phase, 0.0);
        }
    }

    /** Runs {@code work} and adds its wall time to {@code phase}. */
    public <T> T time(String phase, Supplier<T> work) {
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            add(phase, (System.nanoTime() - t0) / 1e9);
        }
    }

    public void time(String phase, Runnable work) {
        time(phase, () -> {
            work.run();
            return null;
        });
    }

    public void add(String phase, double s) {
        seconds.merge(phase, s, Double::sum);
    }

    public double get(String phase) {
        return seconds.getOrDefault(phase, 0.0);
    }

    /** Phase → seconds, in the order train, fuse, eval, write, total. */
    public Map<String, Double> seconds() {
        return new LinkedHashMap<>(seconds);
    }
}
