package io.kif4j.continual.fusion;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small synthetic adapters for the fusion tests. */
final class TestAdapters {

    private TestAdapters() {
    }

    static LoraConfig config(int r) {
        return LoraConfig.of(r, 2.0 * r, 0, List.of("q", "v"), "CAUSAL_LM");
    }

    /** {@code modules} modules "layers.i.q", A [r, in] and B [out, r] uniform in [−1, 1) from {@code seed}. */
    static LoraAdapter random(int modules, int r, int in, int out, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, INDArray[]> m = new LinkedHashMap<>();
        for (int i = 0; i < modules; i++) {
            m.put("layers." + i + ".q", new INDArray[]{uniform(rnd, r, in), uniform(rnd, out, r)});
        }
        return LoraAdapter.of(config(r), m);
    }

    static INDArray uniform(SplittableRandom rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return Nd4j.create(v, new long[]{rows, cols}, 'c');
    }

    /** Largest |x − y| over every LoRA array of two adapters with the same modules. */
    static double maxAbsDiff(LoraAdapter x, LoraAdapter y) {
        double max = 0;
        for (String v : x.variableNames()) {
            max = Math.max(max, x.array(v).sub(y.array(v)).amaxNumber().doubleValue());
        }
        return max;
    }

    /** B·A of one module in double, [out, in]. */
    static INDArray product(LoraAdapter a, String module) {
        var m = a.module(module);
        return m.b().castTo(DataType.DOUBLE).mmul(m.a().castTo(DataType.DOUBLE));
    }
}
