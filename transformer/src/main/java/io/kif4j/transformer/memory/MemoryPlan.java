package io.kif4j.transformer.memory;

import io.kif4j.transformer.family.Batching;
import io.kif4j.transformer.family.ModelSpec;
import io.kif4j.common.KifInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The resident memory a job on a model needs, estimated from its config before any weight is read: the base
 * weights in FP32 (checkpoints are converted on load), the LoRA matrices with their gradients and AdamW's two
 * moments, the activations of one training step ({@link io.kif4j.transformer.family.Family#activationFloats}),
 * and a fixed allowance for the native libraries. {@link #admit} refuses a job that cannot fit the machine with one
 * line, instead of an out-of-memory crash minutes later, and sets the off-heap limits from the plan.
 */
public record MemoryPlan(String what, long weightBytes, long loraBytes, long activationBytes) {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryPlan.class);
    private static final long GB = 1L << 30;
    /** libnd4j, BLAS buffers, graph bookkeeping: measured around 300-400 MB on the small models, rounded up. */
    static final long NATIVE_OVERHEAD = GB / 2;
    static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    static final String MAX_PHYSICAL = "org.bytedeco.javacpp.maxphysicalbytes";
    private static boolean limitsSet;

    /**
     * LoRA training: weights, the rank-r adapter on every linear layer {@code targeted} accepts (its HF module path,
     * e.g. {@code model.layers.0.self_attn.q_proj}) with gradient and two AdamW moments, and one step's activations.
     */
    public static MemoryPlan training(ModelSpec<?> spec, int batch, int src, int tgt, int r, Predicate<String> targeted) {
        long loraParams = 0;
        for (Map.Entry<String, long[]> e : spec.stateDictShapes().entrySet()) {
            long[] s = e.getValue();
            String name = e.getKey();
            if (s.length == 2 && name.endsWith(".weight") && targeted.test(name.substring(0, name.length() - 7))) {
                loraParams += (long) r * (s[0] + s[1]);
            }
        }
        return new MemoryPlan(String.format(Locale.ROOT, "LoRA training, batch %d × %d%s, r %d", batch, src,
                tgt > 0 ? "→" + tgt : "", r), 4 * spec.parameterCount(), 4 * 4 * loraParams,
                4 * spec.activationFloats(batch, src, tgt));
    }

    /**
     * {@link #training} for examples cut to {@code maxSource} prompt and {@code maxTarget} target tokens, as the
     * batcher does: an encoder-decoder sees them apart, a decoder-only model as one sequence.
     */
    public static MemoryPlan trainingOnExamples(ModelSpec<?> spec, int batch, int maxSource, int maxTarget, int r,
                                                Predicate<String> targeted) {
        boolean seq2seq = spec.family().batching() == Batching.SEQ2SEQ;
        return training(spec, batch, seq2seq ? maxSource : maxSource + maxTarget, seq2seq ? maxTarget : 0, r, targeted);
    }

    /** Scoring or generating: the weights and the activations of one forward pass on a small batch. */
    public static MemoryPlan inference(ModelSpec<?> spec) {
        return new MemoryPlan("inference", 4 * spec.parameterCount(), 0, 4 * spec.activationFloats(1, 512, 128));
    }

    public long totalBytes() {
        return weightBytes + loraBytes + activationBytes + NATIVE_OVERHEAD;
    }

    /** "needs about 13.1 GB (weights 4.2 GB FP32, LoRA and AdamW 0.0 GB, activations 8.4 GB, native 0.5 GB)". */
    public String describe() {
        return String.format(Locale.ROOT, "%s needs about %.1f GB (weights %.1f GB in FP32, LoRA with AdamW state %.2f GB, "
                        + "activations %.1f GB, native libraries %.1f GB)", what, gb(totalBytes()), gb(weightBytes),
                gb(loraBytes), gb(activationBytes), gb(NATIVE_OVERHEAD));
    }

    /** Refuses (one line naming the config, the need and the memory) when the plan does not fit; sets the limits. */
    public void admit(Path configFile) {
        admit(configFile, MachineMemory.read(), Runtime.getRuntime().maxMemory());
    }

    void admit(Path configFile, MachineMemory machine, long heapMax) {
        if (checkEnabled() && totalBytes() > machine.availableBytes()) {
            throw KifInputException.of(configFile, String.format(Locale.ROOT, "%s, but this machine has %.1f GB available "
                            + "(of %.1f GB); use a smaller model, batch or sequence length (KIF_MEMORY_CHECK=off skips this check)",
                    describe(), gb(machine.availableBytes()), gb(machine.totalBytes())));
        }
        LOG.info("{}; available {} of {} bytes", describe(), machine.availableBytes(), machine.totalBytes());
        setLimits(machine, heapMax);
    }

    /**
     * Off-heap limits for JavaCPP, read once when ND4J first allocates: twice the plan (at least 8 GB: evaluation and
     * generation batches differ from a training step), at most the machine's memory less the Java heap and 1 GB;
     * the physical limit (heap included) that plus the heap and 2 GB. The first plan of a process sets them; a
     * user's own ({@code KIF_OFFHEAP}/{@code KIF_MAXPHYSICAL}, passed by ./kif as these properties) always wins.
     */
    public long[] limits(MachineMemory machine, long heapMax) {
        long cap = Math.max(machine.totalBytes() - heapMax - GB, GB);
        long offHeap = Math.min(Math.max(2 * totalBytes(), 8 * GB), cap);
        long physical = Math.min(offHeap + heapMax + 2 * GB, machine.totalBytes());
        return new long[]{offHeap, physical};
    }

    private synchronized void setLimits(MachineMemory machine, long heapMax) {
        if (limitsSet) {
            return;
        }
        limitsSet = true;
        long[] l = limits(machine, heapMax);
        if (System.getProperty(MAX_BYTES) == null) {
            System.setProperty(MAX_BYTES, Long.toString(l[0]));
        }
        if (System.getProperty(MAX_PHYSICAL) == null) {
            System.setProperty(MAX_PHYSICAL, Long.toString(l[1]));
        }
        LOG.info("off-heap limits: maxbytes {}, maxphysicalbytes {}", System.getProperty(MAX_BYTES),
                System.getProperty(MAX_PHYSICAL));
    }

    /** The check runs unless {@code -Dkif.memory.check=off} or {@code KIF_MEMORY_CHECK=off}. */
    static boolean checkEnabled() {
        String v = System.getProperty("kif.memory.check", System.getenv("KIF_MEMORY_CHECK"));
        return v == null || !(v.equalsIgnoreCase("off") || v.equalsIgnoreCase("false") || v.equals("0"));
    }

    private static double gb(long bytes) {
        return bytes / (double) GB;
    }
}
