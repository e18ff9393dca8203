package io.kif4j.transformer.decode;

import io.kif4j.transformer.nn.Threads;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A benchmark, not a test: the decoder's products y[8, out] = x[8, in] · Wᵀ at LLaMA-small and T5-small shapes,
 * OpenBLAS sgemm (both orientations) against {@link VectorLinear}, by CPU time (thread CPU on one thread, process
 * CPU on two). Run with the test class path and {@code --add-modules jdk.incubator.vector}; args: threads, rows.
 */
public final class SmallRowProductBench {

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Threads.set(threads);
        Nd4j.getRandom().setSeed(1);
        int[][] shapes = {{512, 32000}, {512, 512}, {512, 256}, {512, 1408}, {1408, 512}, {512, 32128}, {512, 2048},
                {2048, 512}};
        System.out.printf("threads %d, rows %d; ms per call (CPU), GB/s of weights%n", threads, rows);
        System.out.printf("%-12s %18s %18s %18s %8s%n", "in x out", "sgemm x·Wᵀ", "sgemm W·xᵀ", "vector", "maxdiff");
        for (int[] s : shapes) {
            int in = s[0];
            int out = s[1];
            Buf w = Buf.of(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, out, in).subi(0.5));
            Buf x = Buf.of(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, rows, in).subi(0.5));
            Buf y1 = Buf.zeros(rows, out);
            Buf yt = Buf.zeros(out, rows);
            Buf y2 = Buf.zeros(rows, out);
            float[] xs = new float[rows * in];
            float[] xp = new float[rows * in];
            float[] ys = new float[rows * out];
            int reps = Math.max(20, (int) (4e8 / ((long) in * out * 4)));
            double a = time(threads, reps, () -> Blas.linear(x, w, y1, rows, in, out));
            double b = time(threads, reps, () -> Blas.linearTransposed(x, w, yt, rows, in, out));
            double c = time(threads, reps, () -> VectorLinear.linear(x, w, null, y2, rows, in, out, xs, xp, ys, threads));
            double bytes = (double) in * out * 4;
            float diff = 0;
            for (int i = 0; i < rows * out; i++) {
                diff = Math.max(diff, Math.abs(y1.get(i) - y2.get(i)));
            }
            System.out.printf("%-12s %8.3f (%5.1f) %8.3f (%5.1f) %8.3f (%5.1f) %8.1e%n", in + "x" + out, a,
                    bytes / a / 1e6, b, bytes / b / 1e6, c, bytes / c / 1e6, diff);
        }
    }

    /** Best of 5 batches of reps calls, ms of CPU per call (all threads' CPU on two: the wall time is about half). */
    private static double time(int threads, int reps, Runnable r) {
        for (int i = 0; i < reps; i++) {
            r.run();
        }
        double best = Double.MAX_VALUE;
        for (int t = 0; t < 5; t++) {
            long c0 = cpu(threads);
            for (int i = 0; i < reps; i++) {
                r.run();
            }
            best = Math.min(best, (cpu(threads) - c0) / 1e6 / reps);
        }
        return best;
    }

    private static long cpu(int threads) {
        return threads == 1 ? MX.getCurrentThreadCpuTime() : OS.getProcessCpuTime();
    }
}
