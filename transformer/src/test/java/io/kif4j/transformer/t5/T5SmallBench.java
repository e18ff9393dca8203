package io.kif4j.transformer.t5;

import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.nn.GraphNames;
import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.testing.RandomWeightSource;
import io.kif4j.weights.T5Config;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Not a unit test: times a T5-small-sized model (d_model 512, 6+6 layers, 8 heads × 64, d_ff 2048, relu, tied,
 * vocab 32128; random weights, no checkpoint needed) on one batch: the forward pass with loss, and forward +
 * backward into rank-8 LoRA matrices on every q and v (self- and cross-attention), the way fine-tuning runs.
 *
 * <p>Run from the project root after {@code mvn -B -o test-compile -pl transformer -am}; the reactor's
 * weights-import classes go first on the class path so that a stale jar in ~/.m2 cannot shadow them:
 * <pre>
 * cd transformer &amp;&amp; mvn -B -o -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx4g -cp target/test-classes:target/classes:../weights-import/target/classes:$(cat target/cp.txt) \
 *     io.kif4j.transformer.t5.T5SmallBench [batch srcLen tgtLen iters vocab]
 * </pre>
 */
public final class T5SmallBench {

    private T5SmallBench() {
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int srcLen = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int tgtLen = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int iters = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int vocab = args.length > 4 ? Integer.parseInt(args[4]) : 32128;
        T5Config c = new T5Config(512, 64, 2048, 6, 6, 8, 32, 128, 1e-6, "relu", false, true, vocab, 0, 1, 0);

        long t0 = System.nanoTime();
        T5Model model = new T5Model(c, new RandomWeightSource(T5Graph.stateDictShapes(c), 42, 0.05));
        List<String> trainable = new ArrayList<>();
        model.setAdapter(lora(8, 16, trainable));
        SameDiff sd = model.trainingGraph();
        System.out.printf("build: %.1f s, %d trainable LoRA tensors%n", (System.nanoTime() - t0) / 1e9, trainable.size());

        Random rnd = new Random(7);
        int[][] ids = new int[batch][srcLen];
        int[][] mask = new int[batch][srcLen];
        int[][] labels = new int[batch][tgtLen];
        for (int r = 0; r < batch; r++) {
            for (int i = 0; i < srcLen; i++) {
                ids[r][i] = 2 + rnd.nextInt(c.vocabSize() - 2);
                mask[r][i] = 1;
            }
            for (int i = 0; i < tgtLen; i++) {
                labels[r][i] = 2 + rnd.nextInt(c.vocabSize() - 2);
            }
        }
        Map<String, INDArray> ph = model.placeholders(new ModelInputs(ids, mask, labels, null, null));

        for (int i = 0; i <= iters; i++) { // the first run is warm-up
            long s = System.nanoTime();
            double loss = sd.output(ph, GraphNames.LOSS).get(GraphNames.LOSS).getDouble(0);
            long f = System.nanoTime();
            if (i == 0) {
                System.out.printf("after the first forward: peak RSS %s%n", peakRss());
            }
            Map<String, INDArray> grads = sd.calculateGradients(ph, trainable);
            long b = System.nanoTime();
            System.out.printf("%s %d×(%d→%d): forward+loss %.2f s, forward+backward %.2f s, loss %.4f, |grad| %.3g%n",
                    i == 0 ? "warm-up" : "run " + i, batch, srcLen, tgtLen, (f - s) / 1e9, (b - f) / 1e9, loss,
                    grads.get(trainable.get(0)).norm2Number().doubleValue());
        }
        Runtime rt = Runtime.getRuntime();
        System.out.printf("memory: JVM heap used %.0f MB; process RSS now %.0f MB, peak %s%n",
                (rt.totalMemory() - rt.freeMemory()) / 1e6, Pointer.physicalBytes() / 1e6, peakRss());
    }

    /** y += (alpha/r)·B·A·x on every q and v, with trainable A [r, in] and B [out, r]. */
    static LinearAdapter lora(int r, int alpha, List<String> trainable) {
        return (g, path, x, in, out) -> {
            if (!path.endsWith(".q") && !path.endsWith(".v")) {
                return null;
            }
            SDVariable a = g.sd.var(path + ".lora_A.weight", Nd4j.randn(DataType.FLOAT, r, in).muli(1.0 / Math.sqrt(in)));
            SDVariable b = g.sd.var(path + ".lora_B.weight", Nd4j.randn(DataType.FLOAT, out, r).muli(0.01));
            if (!trainable.contains(a.name())) {
                trainable.add(a.name());
                trainable.add(b.name());
            }
            SDVariable ax = g.sd.mmul(x, a, false, true, false);
            return g.sd.mmul(ax, b, false, true, false).mul((double) alpha / r);
        };
    }

    private static String peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return line.substring(6).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "unknown";
    }
}
