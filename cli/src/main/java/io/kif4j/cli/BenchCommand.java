package io.kif4j.cli;

import io.kif4j.continual.importance.ImportanceMetric;
import io.kif4j.continual.importance.ImportanceTracker;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.lora.train.StepHook;
import io.kif4j.lora.train.TrainConfig;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.family.Batching;
import io.kif4j.transformer.family.ModelSpec;
import io.kif4j.transformer.memory.MemoryPlan;
import io.kif4j.transformer.nn.Threads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code kif bench}: times LoRA training steps (the trainer's own loop: forward, backward, clipping, AdamW) on a
 * model of a named size with random weights, and prints one JSON line. See docs/PERFORMANCE.md.
 */
@Command(name = "bench", description = "Time a model shape with random weights (or a model directory) and print one "
        + "JSON line. --mode train (default): LoRA training steps: median step time, tokens/s, peak RSS, GFLOP/s against "
        + "the best measured sgemm (2048^3 and the step's own shapes) and the theoretical FP32 peak, the overhead of "
        + "importance tracking, and the time of an adaptive fusion of a T5-large-sized adapter. --mode generate: greedy "
        + "generation with the KV cache, exactly --new-tokens per row. --mode rank: label ranking as the evaluator "
        + "scores it.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--mode", defaultValue = "train",
            description = "train (LoRA steps), generate (greedy, KV cache) or rank (label ranking). Default: ${DEFAULT-VALUE}.") String mode;

    @Mixin
    BenchOptions.Shape shape;

    @Mixin
    BenchOptions.Lora lora;

    @Mixin
    BenchOptions.Runs runs;

    @Mixin
    BenchOptions.Inference inference;

    @Option(names = "--threads", description = "Native threads for loops and BLAS (default: 1 for loops, BLAS by model size).") Integer threads;

    @Option(names = "--no-importance", description = "Do not time steps with KIFLoRA's importance tracker (by default every other timed step runs it).") boolean noImportance;

    @Option(names = "--no-fusion", description = "Skip timing the adaptive fusion of a T5-large-sized adapter (fusion_ms null).") boolean noFusion;

    @Option(names = "--json", description = "Print only the JSON line.") boolean json;

    /** Runs the command on its own (it is also {@code kif bench}). */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() {
        boolean train = mode.equals("train");
        if (!train && !mode.equals("generate") && !mode.equals("rank")) {
            throw new IllegalArgumentException("--mode must be train, generate or rank, got " + mode);
        }
        runs.resolve(mode);
        if (shape.batch < 1 || shape.src < 1 || shape.tgt < 1 || runs.steps < 1 || runs.warmup < 0 || lora.r < 1
                || inference.newTokens < 1 || inference.labels < 1 || inference.labelTokens < 1) {
            throw new IllegalArgumentException("--batch, --src, --tgt, --steps, --r, --new-tokens, --labels and "
                    + "--label-tokens must be >= 1, --warmup >= 0");
        }
        // the memory plan comes first: it refuses what cannot fit and sets the off-heap limits before ND4J starts
        Path configFile = shape.configFile();
        ModelSpec<?> spec = shape.spec(configFile);
        LoraConfig loraConfig = lora.config(spec.family().runDefaults());
        List<String> t = loraConfig.targetModules();
        boolean seq2seq = spec.family().batching() == Batching.SEQ2SEQ;
        MemoryPlan.training(spec, shape.batch, shape.src, seq2seq ? shape.tgt : 0, lora.r, loraConfig::targets).admit(configFile);
        trace("start");
        BenchModels.Built built = shape.build(spec);
        if (threads != null) {
            Threads.set(threads);
        }
        LoraAdapter adapter = LoraAdapter.create(loraConfig, 42);
        trace("model built");
        if (!train) {
            System.out.println(JsonOut.write(mode.equals("generate") ? timeGeneration(built) : timeRanking(built)));
            return 0;
        }
        // the sgemm after the model is built: the BLAS then has the thread count the steps run with
        BenchPeak.Measured sgemm = BenchPeak.measure(BenchModels.dominantShapes(built.spec(), shape.batch, shape.src,
                built.seq2seq() ? shape.tgt : 0), 5);
        trace("sgemm");
        ModelInputs in = randomBatch(built);
        long tokens = (long) shape.batch * shape.src + (built.seq2seq() ? (long) shape.batch * shape.tgt : 0);
        double flops = built.spec().stepFlops(shape.batch, shape.src, built.seq2seq() ? shape.tgt : 0, lora.r,
                name -> t.contains(name));
        if (!json) {
            System.err.printf(Locale.ROOT, "kif bench: %s, batch %d × %s, LoRA r %d on %s, %d loop / %d BLAS threads; sgemm %s GFLOP/s%n",
                    built.name(), shape.batch, built.seq2seq() ? shape.src + "→" + shape.tgt : String.valueOf(shape.src), lora.r, t,
                    Threads.current(), Threads.blas(), sgemm.gflopsByShape());
        }
        double[][] timed = timeSteps(built, adapter, in, noImportance ? StepHook.NONE
                : ImportanceTracker.kif(ImportanceMetric.FISHER));
        double[] plain = timed[0];
        double[] plainCpu = lastCpuMs;
        double rssAfterPlain = rssMb("VmRSS:");
        double[] withImportance = timed[1];
        double median = median(plain);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", "train");
        out.put("model", built.name());
        out.put("batch", shape.batch);
        out.put("src", shape.src);
        out.put("tgt", built.seq2seq() ? shape.tgt : null);
        out.put("lora_r", lora.r);
        out.put("lora_targets", t);
        out.put("threads", Threads.current());
        out.put("blas_threads", Threads.blas());
        out.put("steps", runs.steps);
        out.put("median_step_ms", round(median));
        out.put("min_step_ms", round(Arrays.stream(plain).min().orElse(Double.NaN)));
        out.put("max_step_ms", round(Arrays.stream(plain).max().orElse(Double.NaN)));
        out.put("median_step_cpu_ms", round(median(plainCpu)));
        out.put("tokens_per_s", round(tokens / (median / 1000)));
        out.put("peak_rss_mb", round(rssMb("VmHWM:")));
        out.put("rss_mb", round(rssAfterPlain));
        out.put("step_gflop", round(flops / 1e9));
        double achieved = flops / (median / 1000) / 1e9;
        out.put("achieved_gflops", round(achieved));
        putPeak(out, achieved, sgemm);
        if (withImportance != null) {
            double m2 = median(withImportance);
            out.put("median_step_ms_with_importance", round(m2));
            out.put("importance_overhead_percent", round(100 * (m2 - median) / median));
        } else {
            out.put("importance_overhead_percent", null);
        }
        Double fusionMs = null;
        if (!noFusion) {
            fusionMs = round(BenchFusion.medianMs(8, 5));
            if (!json) {
                System.err.printf(Locale.ROOT, "  adaptive fusion, %d modules of r 8, %d wide: median %.1f ms%n",
                        6 * BenchFusion.LAYERS, BenchFusion.WIDTH, fusionMs);
            }
        }
        out.put("fusion_ms", fusionMs);
        System.out.println(JsonOut.write(out));
        return 0;
    }

    /**
     * Runs warmup + steps optimizer steps through the trainer, or with an importance tracker warmup + 2·steps,
     * the tracker's update running on every other timed step (and on the warm-up steps): both halves then see the
     * same graph, JIT and allocator state, so their difference is the tracker's cost and not the order they ran in.
     *
     * @return {plain step durations in ms, durations of the steps with the tracker (null without one)}
     */
    private double[][] timeSteps(BenchModels.Built built, LoraAdapter adapter, ModelInputs in, StepHook tracker) {
        boolean alternate = tracker != StepHook.NONE;
        int total = runs.warmup + (alternate ? 2 : 1) * runs.steps;
        List<ModelInputs> batches = Collections.nCopies(total, in);
        long[] ends = new long[total + 1];
        long[] cpuEnds = new long[total + 1];
        StepHook timer = new StepHook() {
            private boolean on(int step) {
                return step <= runs.warmup || (step - runs.warmup) % 2 == 0;
            }

            @Override
            public void beforeStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads) {
                if (on(step)) {
                    tracker.beforeStep(step, params, grads);
                }
            }

            @Override
            public void afterStep(int step, Map<String, INDArray> params, Map<String, INDArray> grads, double loss) {
                if (on(step)) {
                    tracker.afterStep(step, params, grads, loss);
                }
                ends[step] = System.nanoTime();
                cpuEnds[step] = processCpuNanos();
                trace("step " + step);
            }
        };
        TrainConfig config = TrainConfig.defaults(1, 1e-4, 42);
        ends[0] = System.nanoTime();
        cpuEnds[0] = processCpuNanos();
        new LoraTrainer(built.model(), adapter, config).train(e -> batches, List.of(), timer);
        double[] plain = new double[runs.steps];
        double[] with = alternate ? new double[runs.steps] : null;
        lastCpuMs = new double[runs.steps];
        for (int i = 0; i < (alternate ? 2 : 1) * runs.steps; i++) {
            int step = runs.warmup + i + 1;
            double ms = (ends[step] - ends[step - 1]) / 1e6;
            if (alternate && i % 2 == 1) {
                with[i / 2] = ms;
            } else {
                plain[alternate ? i / 2 : i] = ms;
                lastCpuMs[alternate ? i / 2 : i] = (cpuEnds[step] - cpuEnds[step - 1]) / 1e6;
            }
        }
        if (!json) {
            System.err.printf(Locale.ROOT, "  plain steps (ms): %s%n", Arrays.toString(round(plain)));
            if (alternate) {
                System.err.printf(Locale.ROOT, "  steps with the importance tracker (ms): %s%n", Arrays.toString(round(with)));
            }
        }
        return new double[][]{plain, with};
    }

    private static double[] round(double[] ms) {
        return Arrays.stream(ms).map(x -> Math.round(x * 10) / 10.0).toArray();
    }

    private ModelInputs randomBatch(BenchModels.Built built) {
        Random rnd = new Random(7);
        int vocab = built.model().vocabSize();
        int[][] ids = new int[shape.batch][shape.src];
        int[][] mask = new int[shape.batch][shape.src];
        for (int b = 0; b < shape.batch; b++) {
            for (int i = 0; i < shape.src; i++) {
                ids[b][i] = 3 + rnd.nextInt(vocab - 3);
                mask[b][i] = 1;
            }
        }
        if (!built.seq2seq()) {
            return new ModelInputs(ids, mask, ids, null, null);
        }
        int[][] targetIds = new int[shape.batch][shape.tgt];
        for (int[] row : targetIds) {
            for (int i = 0; i < shape.tgt; i++) {
                row[i] = 3 + rnd.nextInt(vocab - 3);
            }
        }
        return new ModelInputs(ids, mask, targetIds, null, null);
    }

    /**
     * The step's rate against the best measured sgemm (never above 100 %: a step faster than every sgemm becomes
     * the peak, flagged {@code peak_under_measured}), each sgemm shape's rate, and the theoretical FP32 peak.
     */
    static void putPeak(Map<String, Object> out, double achieved, BenchPeak.Measured sgemm) {
        BenchPeak.Verdict v = BenchPeak.Verdict.of(achieved, sgemm.best());
        Map<String, Object> shapes = new LinkedHashMap<>();
        sgemm.gflopsByShape().forEach((shape, g) -> shapes.put(shape.toString(), round(g)));
        out.put("sgemm_gflops", round(sgemm.gflopsByShape().values().iterator().next()));
        out.put("sgemm_gflops_by_shape", shapes);
        out.put("peak_gflops", round(v.peakGflops()));
        out.put("percent_of_sgemm_peak", round(v.percent()));
        out.put("peak_under_measured", v.underMeasured());
        out.put("peak_method", "best of 5 sgemm runs (after 1 warm-up) at each shape m x k x n of sgemm_gflops_by_shape "
                + "(2048^3, then the step's dominant matmuls), in this process after the model was built; the step's "
                + "own rate instead when higher (peak_under_measured)");
        BenchPeak.Theoretical th = BenchPeak.Theoretical.ofThisMachine();
        out.put("theoretical_peak_gflops", th == null ? null : round(th.gflops()));
        out.put("theoretical_peak_method", th == null ? null : th.method());
        // the same rule: a clock below the one the cores ran at (turbo) must not give more than 100 %
        BenchPeak.Verdict tv = th == null ? null : BenchPeak.Verdict.of(achieved, th.gflops());
        out.put("percent_of_theoretical_peak", tv == null ? null : round(tv.percent()));
        out.put("theoretical_peak_under_estimated", tv == null ? null : tv.underMeasured());
    }

    private double[] lastCpuMs;

    /** CPU time of this process in ns, all threads; −1 where the JVM cannot tell. */
    static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    private Map<String, Object> timeGeneration(BenchModels.Built built) {
        int vocab = built.model().vocabSize();
        int[][] prompts = BenchInference.randomIds(new Random(7), shape.batch, shape.src, vocab);
        double[] full = timeCalls(() -> BenchInference.generate(built.model(), prompts, inference.newTokens));
        double[] fullCpu = lastCpuMs;
        // the prefill (and first token) alone: what the decode steps add is the rest
        double[] prefill = inference.newTokens > 1 ? timeCalls(() -> BenchInference.generate(built.model(), prompts, 1)) : full;
        double median = median(full);
        Map<String, Object> out = inferenceHeader(built, "generate");
        out.put("new_tokens", inference.newTokens);
        out.put("median_ms", round(median));
        out.put("min_ms", round(Arrays.stream(full).min().orElse(Double.NaN)));
        out.put("max_ms", round(Arrays.stream(full).max().orElse(Double.NaN)));
        out.put("generated_tokens_per_s", round((double) shape.batch * inference.newTokens / (median / 1000)));
        out.put("median_cpu_ms", round(median(fullCpu)));
        out.put("prefill_ms", round(median(prefill)));
        out.put("decode_step_ms", inference.newTokens > 1 ? round((median - median(prefill)) / (inference.newTokens - 1)) : null);
        out.put("peak_rss_mb", round(rssMb("VmHWM:")));
        return out;
    }

    private Map<String, Object> timeRanking(BenchModels.Built built) {
        int vocab = built.model().vocabSize();
        Random rnd = new Random(7);
        int[][] prompts = BenchInference.randomIds(rnd, shape.batch, shape.src, vocab);
        int[][][] labelIds = new int[shape.batch][][];
        for (int e = 0; e < shape.batch; e++) {
            labelIds[e] = BenchInference.randomIds(rnd, inference.labels, inference.labelTokens, vocab);
            for (int[] label : labelIds[e]) {
                label[inference.labelTokens - 1] = built.model().eosTokenId();
            }
        }
        double[] ms = timeCalls(() -> BenchInference.rank(built.model(), prompts, labelIds).length);
        double median = median(ms);
        double[] cpu = lastCpuMs;
        Map<String, Object> out = inferenceHeader(built, "rank");
        out.put("labels", inference.labels);
        out.put("label_tokens", inference.labelTokens);
        out.put("median_ms", round(median));
        out.put("min_ms", round(Arrays.stream(ms).min().orElse(Double.NaN)));
        out.put("max_ms", round(Arrays.stream(ms).max().orElse(Double.NaN)));
        out.put("examples_per_s", round(shape.batch / (median / 1000)));
        out.put("median_cpu_ms", round(median(cpu)));
        out.put("method", built.seq2seq() ? "each prompt encoded once, then all labels decoded against it"
                : "each prompt once, then all labels against its cached keys and values");
        out.put("peak_rss_mb", round(rssMb("VmHWM:")));
        return out;
    }

    private Map<String, Object> inferenceHeader(BenchModels.Built built, String mode) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", mode);
        out.put("model", built.name());
        out.put("batch", shape.batch);
        out.put("src", shape.src);
        out.put("threads", Threads.current());
        out.put("blas_threads", Threads.blas());
        out.put("runs", runs.steps);
        return out;
    }

    /**
     * {@code warmup} untimed calls, then {@code steps} timed ones; their wall durations in ms, and the process CPU
     * time of each in {@link #lastCpuMs} (on one thread, about what the call takes on an idle machine).
     */
    private double[] timeCalls(java.util.function.LongSupplier call) {
        for (int i = 0; i < runs.warmup; i++) {
            call.getAsLong();
        }
        double[] ms = new double[runs.steps];
        lastCpuMs = new double[runs.steps];
        for (int i = 0; i < runs.steps; i++) {
            long t = System.nanoTime();
            long c = processCpuNanos();
            call.getAsLong();
            ms[i] = (System.nanoTime() - t) / 1e6;
            lastCpuMs[i] = (processCpuNanos() - c) / 1e6;
            trace("call " + i);
        }
        if (!json) {
            System.err.printf(Locale.ROOT, "  %s calls (ms): %s%n", mode, Arrays.toString(round(ms)));
        }
        return ms;
    }

    static final boolean TRACE = Boolean.getBoolean("kif.bench.trace");

    static void trace(String what) {
        if (TRACE) {
            Runtime rt = Runtime.getRuntime();
            System.err.printf(Locale.ROOT, "trace %d %s: rss %.0f hwm %.0f heap used %d committed %d nd4j %d MB"
                            + " (off-heap limit %d, physical %d MB)%n",
                    System.currentTimeMillis(), what, rssMb("VmRSS:"), rssMb("VmHWM:"),
                    (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20,
                    io.kif4j.transformer.nn.NativeMemory.allocatedBytes() >> 20,
                    org.bytedeco.javacpp.Pointer.maxBytes() >> 20, org.bytedeco.javacpp.Pointer.maxPhysicalBytes() >> 20);
        }
    }

    /** A field of /proc/self/status in MB (VmHWM: peak resident set, VmRSS: now); NaN off Linux. */
    static double rssMb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return Double.NaN;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** One decimal; null (JSON null) when not finite. */
    static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 10) / 10.0 : null;
    }
}
