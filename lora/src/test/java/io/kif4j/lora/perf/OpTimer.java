package io.kif4j.lora.perf;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Not a test: accumulates time per op type (native execution only) between pre/post callbacks: the calling
 * thread's CPU time with {@code -Doptimer.cpu} (fair on a loaded machine, where wall time mostly waits), else wall
 * time.
 */
public final class OpTimer extends BaseListener {
    private static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final boolean CPU = System.getProperty("optimer.cpu") != null;
    final Map<String, long[]> byOp = new HashMap<>();
    private long start;

    private static long now() {
        return CPU ? MX.getCurrentThreadCpuTime() : System.nanoTime();
    }

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
        start = now();
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
        long t = now() - start;
        String key = op.getOp().opName() + " " + (outputs.length > 0 && outputs[0] != null ? Arrays.toString(outputs[0].shape()) : "");
        long[] a = byOp.computeIfAbsent(key, k -> new long[2]);
        a[0] += t;
        a[1]++;
    }

    public void print(int top) {
        long total = byOp.values().stream().mapToLong(a -> a[0]).sum();
        long n = byOp.values().stream().mapToLong(a -> a[1]).sum();
        System.out.printf("ops %d, op time %.1f ms%n", n, total / 1e6);
        byOp.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).limit(top)
                .forEach(e -> System.out.printf("%8.2f ms %5d  %s%n", e.getValue()[0] / 1e6, e.getValue()[1], e.getKey()));
        byOp.clear();
    }
}
