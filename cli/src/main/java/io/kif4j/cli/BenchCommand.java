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
import io.kif4j.transformer.family.Families;
import io.kif4j.transformer.family.ModelSpec;
import io.kif4j.transformer.family.RunDefaults;
import io.kif4j.transformer.memory.MemoryPlan;
import io.kif4j.weights.HfModelDir;
import io.kif4j.transformer.nn.Threads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
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
@Command(name = "bench", description = "Time LoRA training steps on a model shape with random weights (or a model "
        + "directory) and print one JSON line: median step time, tokens/s, peak RSS, GFLOP/s against a 2048^3 sgemm "
        + "measured in the same process, the overhead of importance tracking, and the time of an adaptive fusion of a "
        + "T5-large-sized adapter (144 modules, r 8, 1024 wide).")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--model-config", defaultValue = "t5-small",
            description = "t5-small, t5-base, llama-small or a config.json file (random weights). Default: ${DEFAULT-VALUE}.")
    String modelConfig;

    @Option(names = "--model", description = "A HuggingFace model directory to time with its real weights instead.")
    Path modelDir;

    @Option(names = "--batch", defaultValue = "8", description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--src", defaultValue = "128",
            description = "T5: encoder length; LLaMA: sequence length (loss on every token). Default: ${DEFAULT-VALUE}.")
    int src;

    @Option(names = "--tgt", defaultValue = "16", description = "T5: decoder length (ignored for LLaMA). Default: ${DEFAULT-VALUE}.")
    int tgt;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps per measurement. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first (graph building). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--r", defaultValue = "8", description = "LoRA rank. Default: ${DEFAULT-VALUE}.")
    int r;

    @Option(names = "--targets", split = ",",
            description = "LoRA target modules (default: the family's, q,v for T5 and q_proj,v_proj for the decoders; 'all' = every linear).")
    List<String> targets;

    @Option(names = "--dropout", defaultValue = "0.05", description = "LoRA dropout. Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(names = "--threads", description = "Native threads for loops and BLAS (default: 1 for loops, BLAS by model size).")
    Integer threads;

    @Option(names = "--no-importance", description = "Do not time steps with KIFLoRA's importance tracker (by default every other timed step runs it).")
    boolean noImportance;

    @Option(names = "--no-fusion", description = "Skip timing the adaptive fusion of a T5-large-sized adapter (fusion_ms null).")
    boolean noFusion;

    @Option(names = "--json", description = "Print only the JSON line.")
    boolean json;

    /** Runs the command on its own (it is also {@code kif bench}). */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() {
        if (batch < 1 || src < 1 || tgt < 1 || steps < 1 || warmup < 0 || r < 1) {
            throw new IllegalArgumentException("--batch, --src, --tgt, --steps and --r must be >= 1, --warmup >= 0");
        }
        // the memory plan comes first: it refuses what cannot fit and sets the off-heap limits before ND4J starts
        Path configFile = modelDir != null ? HfModelDir.open(modelDir).configFile() : Path.of(modelConfig);
        ModelSpec<?> spec = modelDir != null ? Families.read(configFile) : BenchModels.spec(modelConfig);
        RunDefaults defaults = spec.family().runDefaults();
        List<String> t = targets == null ? defaults.target()
                : targets.equals(List.of("all")) ? defaults.allLinear() : targets;
        LoraConfig loraConfig = LoraConfig.of(r, 2 * r, dropout, t, defaults.taskType());
        boolean seq2seq = spec.family().batching() == Batching.SEQ2SEQ;
        MemoryPlan.training(spec, batch, src, seq2seq ? tgt : 0, r, loraConfig::targets).admit(configFile);
        trace("start");
        double sgemm = sgemmGflops();
        trace("sgemm");
        BenchModels.Built built = modelDir != null ? BenchModels.fromDirectory(modelDir)
                : BenchModels.build(spec, modelConfig, 42);
        if (threads != null) {
            Threads.set(threads);
        }
        LoraAdapter adapter = LoraAdapter.create(loraConfig, 42);
        trace("model built");
        ModelInputs in = randomBatch(built);
        long tokens = (long) batch * src + (built.seq2seq() ? (long) batch * tgt : 0);
        double flops = built.spec().stepFlops(batch, src, built.seq2seq() ? tgt : 0, r,
                name -> t.contains(name));
        if (!json) {
            System.err.printf(Locale.ROOT, "kif bench: %s, batch %d × %s, LoRA r %d on %s, %d loop / %d BLAS threads; sgemm %.1f GFLOP/s%n",
                    built.name(), batch, built.seq2seq() ? src + "→" + tgt : String.valueOf(src), r, t,
                    Threads.current(), Threads.blas(), sgemm);
        }
        double[][] timed = timeSteps(built, adapter, in, noImportance ? StepHook.NONE
                : ImportanceTracker.kif(ImportanceMetric.FISHER));
        double[] plain = timed[0];
        double rssAfterPlain = rssMb("VmRSS:");
        double[] withImportance = timed[1];
        double median = median(plain);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", built.name());
        out.put("batch", batch);
        out.put("src", src);
        out.put("tgt", built.seq2seq() ? tgt : null);
        out.put("lora_r", r);
        out.put("lora_targets", t);
        out.put("threads", Threads.current());
        out.put("blas_threads", Threads.blas());
        out.put("steps", steps);
        out.put("median_step_ms", round(median));
        out.put("min_step_ms", round(Arrays.stream(plain).min().orElse(Double.NaN)));
        out.put("max_step_ms", round(Arrays.stream(plain).max().orElse(Double.NaN)));
        out.put("tokens_per_s", round(tokens / (median / 1000)));
        out.put("peak_rss_mb", round(rssMb("VmHWM:")));
        out.put("rss_mb", round(rssAfterPlain));
        out.put("step_gflop", round(flops / 1e9));
        double achieved = flops / (median / 1000) / 1e9;
        out.put("achieved_gflops", round(achieved));
        out.put("sgemm_gflops", round(sgemm));
        out.put("percent_of_sgemm_peak", round(100 * achieved / sgemm));
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
        int total = warmup + (alternate ? 2 : 1) * steps;
        List<ModelInputs> batches = Collections.nCopies(total, in);
        long[] ends = new long[total + 1];
        StepHook timer = new StepHook() {
            private boolean on(int step) {
                return step <= warmup || (step - warmup) % 2 == 0;
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
                trace("step " + step);
            }
        };
        TrainConfig config = TrainConfig.defaults(1, 1e-4, 42);
        ends[0] = System.nanoTime();
        new LoraTrainer(built.model(), adapter, config).train(e -> batches, List.of(), timer);
        double[] plain = new double[steps];
        double[] with = alternate ? new double[steps] : null;
        for (int i = 0; i < (alternate ? 2 : 1) * steps; i++) {
            int step = warmup + i + 1;
            double ms = (ends[step] - ends[step - 1]) / 1e6;
            if (alternate && i % 2 == 1) {
                with[i / 2] = ms;
            } else {
                plain[alternate ? i / 2 : i] = ms;
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
        int[][] ids = new int[batch][src];
        int[][] mask = new int[batch][src];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < src; i++) {
                ids[b][i] = 3 + rnd.nextInt(vocab - 3);
                mask[b][i] = 1;
            }
        }
        if (!built.seq2seq()) {
            return new ModelInputs(ids, mask, ids, null, null);
        }
        int[][] labels = new int[batch][tgt];
        for (int[] row : labels) {
            for (int i = 0; i < tgt; i++) {
                row[i] = 3 + rnd.nextInt(vocab - 3);
            }
        }
        return new ModelInputs(ids, mask, labels, null, null);
    }

    /** A 2048³ single-precision matrix product, best of three after one warm-up, in GFLOP/s. */
    static double sgemmGflops() {
        int n = 2048;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            long s = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            double secs = (System.nanoTime() - s) / 1e9;
            if (i > 0) {
                best = Math.min(best, secs);
            }
        }
        a.close();
        b.close();
        c.close();
        return 2.0 * n * n * n / best / 1e9;
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
