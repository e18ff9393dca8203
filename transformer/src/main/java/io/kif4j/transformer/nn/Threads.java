package io.kif4j.transformer.nn;

import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Native thread counts of ND4J, set at run time: libnd4j's own parallel loops (element-wise ops, reductions,
 * softmax) and the BLAS behind matmuls.
 *
 * <p>Measured on the 2-core machine (docs/PERFORMANCE.md): libnd4j's loops end each op at a barrier, so with
 * another busy process on the machine every op can wait a scheduler slice for its second thread: a T5-small step
 * went from 5 s to 17 s, a stories260K step from 0.8 s to 4 s. Their ops are too small to gain from a second
 * thread anyway, so the loops run single-threaded by default. The BLAS keeps every core for models large enough
 * to have big matmuls ({@link #SMALL_MODEL_PARAMETERS}), and one thread for tiny ones. {@code -Dkif.threads=N}
 * (or {@link #set}) sets both; {@code OMP_NUM_THREADS} in the environment leaves the defaults alone.
 *
 * <p>Some libnd4j ops (softmax, its backward) use the whole native thread pool whatever the loop setting, so
 * {@code ./kif} starts the JVM with {@code OMP_NUM_THREADS=1} (libnd4j sizes its pool from it once, at load) and
 * {@code KIF_OMP_FROM_LAUNCHER=1}, which marks it as the launcher's default rather than a user's choice. Measured
 * on the loaded machine: softmax on [8, 8, 16, 16] 7.2 → 0.6 ms, a T5-small step 3.3 → 2.7 s (median of 5 pairs).
 */
public final class Threads {

    private static final Logger LOG = LoggerFactory.getLogger(Threads.class);

    /** Below this many parameters the BLAS also runs single-threaded. */
    public static final long SMALL_MODEL_PARAMETERS = 5_000_000L;

    /** OMP_NUM_THREADS set by the user; ./kif sets it to 1 itself (and says so), which is not a user's choice. */
    private static volatile boolean chosenByUser = System.getenv("OMP_NUM_THREADS") != null
            && System.getenv("KIF_OMP_FROM_LAUNCHER") == null;
    private static volatile int blasThreads = Runtime.getRuntime().availableProcessors();

    static {
        String p = System.getProperty("kif.threads");
        if (p != null) {
            try {
                set(Integer.parseInt(p.trim()));
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring -Dkif.threads={}: not a positive number", p);
            }
        }
    }

    private Threads() {
    }

    /** Sets both thread counts explicitly; later {@link #forModel} calls leave them alone. */
    public static void set(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        }
        chosenByUser = true;
        apply(n, n);
    }

    /** Single-threaded loops; BLAS on every core unless the model is small. No-op when the user chose. */
    public static void forModel(long parameters) {
        if (!chosenByUser) {
            apply(1, parameters < SMALL_MODEL_PARAMETERS ? 1 : Runtime.getRuntime().availableProcessors());
        }
    }

    /** Threads of libnd4j's parallel loops now. */
    public static int current() {
        return Nd4j.getEnvironment().maxMasterThreads();
    }

    /** Threads the BLAS was last given. */
    public static int blas() {
        return blasThreads;
    }

    private static void apply(int loops, int blas) {
        // libnd4j sizes its pool once (maxThreads cannot shrink at run time); its parallel loops use maxMasterThreads
        Nd4j.getEnvironment().setMaxMasterThreads(loops);
        Nd4j.factory().blas().setMaxThreads(blas);
        blasThreads = blas;
        LOG.debug("ND4J loop threads {}, BLAS threads {}", loops, blas);
    }
}
