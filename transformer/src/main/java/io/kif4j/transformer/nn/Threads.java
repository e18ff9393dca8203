package io.kif4j.transformer.nn;

import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Native thread counts of ND4J (its own OpenMP-style loops and the BLAS), set at run time. For tiny models the
 * work per op is microseconds, and waking a second thread per op costs more than it saves; large matmuls
 * want every core.
 */
public final class Threads {

    private static final Logger LOG = LoggerFactory.getLogger(Threads.class);

    /** Below this many parameters a model runs single-threaded unless the user chose otherwise. */
    public static final long SMALL_MODEL_PARAMETERS = 5_000_000L;

    private static volatile boolean chosenByUser = System.getenv("OMP_NUM_THREADS") != null
            || System.getProperty("kif.threads") != null;

    static {
        String p = System.getProperty("kif.threads");
        if (p != null) {
            try {
                apply(Integer.parseInt(p.trim()));
            } catch (NumberFormatException e) {
                LOG.warn("ignoring -Dkif.threads={}: not a number", p);
            }
        }
    }

    private Threads() {
    }

    /** Sets the thread count explicitly; later {@link #forModel} calls leave it alone. */
    public static void set(int n) {
        chosenByUser = true;
        apply(n);
    }

    /** One thread for small models ({@link #SMALL_MODEL_PARAMETERS}), unless set by the user. */
    public static void forModel(long parameters) {
        if (!chosenByUser && parameters < SMALL_MODEL_PARAMETERS) {
            apply(1);
        }
    }

    /** The number of threads ND4J's parallel loops use now. */
    public static int current() {
        return Nd4j.getEnvironment().maxMasterThreads();
    }

    private static void apply(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        }
        // libnd4j sizes its pool once (maxThreads cannot shrink at run time); its parallel loops use maxMasterThreads
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        Nd4j.factory().blas().setMaxThreads(n);
        LOG.debug("ND4J threads set to {}", n);
    }
}
