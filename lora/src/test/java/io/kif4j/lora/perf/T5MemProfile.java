package io.kif4j.lora.perf;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.nn.NativeMemory;
import io.kif4j.transformer.t5.T5Model;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Arrays;

/**
 * Not a test: where the native memory of a T5-small-sized LoRA (q, v) gradient step goes. After every op, ND4J's
 * allocated-bytes counter; prints its peak, the op at the peak, the bytes all op outputs of the step add up to,
 * and VmHWM/VmRSS.
 */
public final class T5MemProfile {

    static final class Peak extends BaseListener {
        long peak;
        String at;
        long outputBytes;
        int ops;
        boolean backward;
        final java.util.Map<String, long[]> forwardByOp = new java.util.TreeMap<>();

        final java.util.Map<String, long[]> live = new java.util.TreeMap<>();

        /** The arrays the session holds when the backward starts, by producing op type and shape. */
        @SuppressWarnings("unchecked")
        void liveAtBackward(SameDiff sd) {
            try {
                java.lang.reflect.Field f = SameDiff.class.getDeclaredField("sessions");
                f.setAccessible(true);
                java.util.Map<Long, Object> sessions = (java.util.Map<Long, Object>) f.get(sd);
                Object session = sessions.get(Thread.currentThread().getId());
                java.lang.reflect.Field nv = org.nd4j.autodiff.samediff.internal.AbstractSession.class
                        .getDeclaredField("nodeValueOutputs");
                nv.setAccessible(true);
                java.util.Map<Object, org.nd4j.autodiff.samediff.config.SDValue> values =
                        (java.util.Map<Object, org.nd4j.autodiff.samediff.config.SDValue>) nv.get(session);
                java.util.Set<Long> seen = new java.util.HashSet<>();
                for (var e : values.entrySet()) {
                    String name = ((org.nd4j.autodiff.samediff.internal.AbstractSession.VarId) e.getKey()).getVariable();
                    INDArray a = e.getValue().getTensorValue();
                    if (a == null || a.wasClosed() || a.data().wasClosed() || a.isEmpty() || !seen.add(a.data().address())) {
                        continue;
                    }
                    var producer = sd.getVariableOutputOp(name);
                    String key = (producer == null ? sd.getVariable(name).getVariableType().toString() : producer.opName())
                            + " " + Arrays.toString(a.shape());
                    long[] acc = live.computeIfAbsent(key, k -> new long[2]);
                    acc[0] += a.data().length() * a.dataType().width();
                    acc[1]++;
                }
            } catch (ReflectiveOperationException ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public boolean isActive(Operation operation) {
            return true;
        }

        @Override
        public void opExecution(SameDiff sd, At a, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] outputs) {
            long now = NativeMemory.allocatedBytes();
            ops++;
            String type = op.getOp().opName();
            if (!backward && type.endsWith("_bp")) {
                liveAtBackward(sd);
            }
            backward |= type.endsWith("_bp");
            for (INDArray o : outputs) {
                if (o != null && !o.isView()) {
                    long bytes = o.length() * o.dataType().width();
                    outputBytes += bytes;
                    if (!backward) {
                        long[] acc = forwardByOp.computeIfAbsent(type + " " + Arrays.toString(o.shape()), k -> new long[2]);
                        acc[0] += bytes;
                        acc[1]++;
                    }
                }
            }
            if (now > peak) {
                peak = now;
                at = op.getName() + " " + (outputs.length > 0 && outputs[0] != null ? Arrays.toString(outputs[0].shape()) : "");
            }
        }
    }

    static String status() throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (l.startsWith("VmHWM") || l.startsWith("VmRSS")) {
                b.append(l.replaceAll("\\s+", " ")).append(' ');
            }
        }
        Runtime rt = Runtime.getRuntime();
        return b + "heap " + ((rt.totalMemory() - rt.freeMemory()) >> 20) + "/" + (rt.totalMemory() >> 20) + " MB";
    }

    public static void main(String[] args) throws Exception {
        T5Model model = T5SmallStep.randomModel();
        System.out.printf("model: nd4j %d MB, %s%n", NativeMemory.allocatedBytes() >> 20, status());
        T5SmallStep step = T5SmallStep.on(model);
        LoraAdapter lora = step.lora();
        ModelInputs in = step.in();
        int steps = Integer.getInteger("steps", 4);
        for (int s = 0; s < steps; s++) {
            Peak p = new Peak();
            model.trainingGraph().setListeners(p);
            long before = NativeMemory.allocatedBytes();
            long t0 = System.nanoTime();
            Lora.lossAndGradients(model, lora, in);
            System.out.printf("step %d: %.0f ms, ops %d, nd4j before %d MB, peak %d MB at %s, after %d MB, outputs %d MB; %s%n",
                    s, (System.nanoTime() - t0) / 1e6, p.ops, before >> 20, p.peak >> 20, p.at,
                    NativeMemory.allocatedBytes() >> 20, p.outputBytes >> 20, status());
            NativeMemory.afterStep();
            if (s == steps - 1) {
                System.out.println("live when the backward starts:");
                System.out.printf("%8.1f MB total%n", p.live.values().stream().mapToLong(a -> a[0]).sum() / 1048576.0);
                p.live.entrySet().stream().filter(e -> e.getValue()[0] >= (1 << 20))
                        .sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]))
                        .forEach(e -> System.out.printf("%8.1f MB %4d  %s%n", e.getValue()[0] / 1048576.0, e.getValue()[1], e.getKey()));
                System.out.println("forward outputs:");
                p.forwardByOp.entrySet().stream().filter(e -> e.getValue()[0] >= (1 << 20))
                        .sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]))
                        .forEach(e -> System.out.printf("%8.1f MB %4d  %s%n", e.getValue()[0] / 1048576.0, e.getValue()[1], e.getKey()));
            }
        }
    }
}
