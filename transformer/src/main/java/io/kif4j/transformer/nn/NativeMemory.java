package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keeps the resident memory of SameDiff runs flat.
 *
 * <p>Two things made it grow: (1) many of the arrays a step allocates are freed only when the JVM collects
 * their Java wrappers, and a mostly idle Java heap is collected rarely, so off-heap memory climbed by hundreds of
 * MB per step until some collection happened; (2) every session keeps released arrays for reuse, up to a quarter
 * of {@code org.bytedeco.javacpp.maxbytes} (3 GB under {@code ./kif}), matched by exact shape, so arrays of
 * other shapes (evaluation batches of varying length) pile up. Sessions get no cache by default
 * ({@link #CACHE_BYTES}; measured: no slower, 0.6-0.8 GB less peak RSS on a T5-small step), and
 * {@link #afterStep()} runs a collection when the native bytes ND4J has allocated
 * and not yet freed (libnd4j's own counter; the resident size is no signal, since freed memory stays in the
 * allocator) exceed 1.5× what was live after the previous collection, or when the JVM has committed more
 * heap than 3× what was live (G1 otherwise expands towards -Xmx under SameDiff's garbage).
 */
public final class NativeMemory {

    /** Released arrays a session keeps for reuse ({@code -Dkif.samediff.cache.bytes}); 0 frees them at once. */
    public static final long CACHE_BYTES = Long.getLong("kif.samediff.cache.bytes", 0L);

    static final double GROWTH = 1.5;
    static final long MIN_SLACK = 256L << 20;

    /** Committed Java heap allowed before {@link #afterStep()} collects, at least. */
    static final long HEAP_FLOOR = 384L << 20;

    private static boolean installed;
    private static long heapLimit = HEAP_FLOOR;
    private static long limit = -1;
    private static boolean measureNext = true;
    private static long collections;

    private NativeMemory() {
    }

    /** Sessions of every SameDiff graph get a bounded array cache. Idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        SameDiff.bindInferenceFactory(sd -> {
            InferenceSession s = new Session(sd);
            ArrayCacheMemoryMgr mmgr = new ArrayCacheMemoryMgr();
            mmgr.setMaxCacheBytes(Math.min(mmgr.getMaxCacheBytes(), CACHE_BYTES));
            s.setMmgr(mmgr);
            return s;
        });
    }

    /**
     * SameDiff's session, except that its set of released array ids is emptied at the start of each run: SameDiff
     * only ever adds to it (a Java heap leak of some 2,000 ids per training step). Ids are unique across runs, so
     * the set only matters within one.
     */
    static final class Session extends InferenceSession {
        Session(SameDiff sd) {
            super(sd);
        }

        @Override
        protected java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> preprocessPlaceholders(
                java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> placeholders,
                org.nd4j.autodiff.listeners.At at) {
            freedArrays.clear();
            return super.preprocessPlaceholders(placeholders, at);
        }
    }

    /** Native bytes ND4J has allocated on the host and not freed. */
    public static long allocatedBytes() {
        return Nd4j.getEnvironment().getDeviceCouner(0);
    }

    /**
     * Call after a forward or training step: collects garbage, so that the native buffers of dead arrays are freed,
     * once ND4J's allocated bytes exceed 1.5× (at least +256 MB) the level measured after the previous
     * collection. Costs one counter read otherwise.
     */
    public static synchronized void afterStep() {
        long now = allocatedBytes();
        if (measureNext) {
            // the deallocator threads free buffers shortly after a collection: measure one step later
            limit = Math.max((long) (now * GROWTH), now + MIN_SLACK);
            measureNext = false;
            return;
        }
        Runtime rt = Runtime.getRuntime();
        if (now > limit || rt.totalMemory() > heapLimit) {
            System.gc();
            collections++;
            measureNext = true;
            // G1 grows the heap under SameDiff's allocation rate (to Xmx over a long run) though little of it is
            // live; a full collection gives the excess back. Allow 3× the live heap before doing that again.
            heapLimit = Math.max(HEAP_FLOOR, 3 * (rt.totalMemory() - rt.freeMemory()));
        }
    }

    /** Collections {@link #afterStep()} has run, for tests and benchmarks. */
    public static synchronized long collections() {
        return collections;
    }
}
