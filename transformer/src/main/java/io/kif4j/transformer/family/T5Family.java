package io.kif4j.transformer.family;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.t5.T5Graph;
import io.kif4j.transformer.t5.T5Model;
import io.kif4j.weights.HfModelDir;
import io.kif4j.weights.T5Config;
import io.kif4j.weights.WeightSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** {@code t5}: T5 v1.0 (ReLU), v1.1 and Flan-T5 (gated GELU), encoder-decoder. */
final class T5Family implements Family<T5Config> {

    private static final RunDefaults RUN = new RunDefaults(List.of("q", "v"),
            List.of("q", "k", "v", "o", "wi", "wi_0", "wi_1", "wo"), "kif", "SEQ_2_SEQ_LM", 512, 128, "generate", 128);

    @Override
    public String modelType() {
        return "t5";
    }

    @Override
    public T5Config config(Path configFile, JsonNode json) {
        return T5Config.fromJson(configFile, json);
    }

    @Override
    public T5Config config(LanguageModel model) {
        return ((T5Model) model).config();
    }

    @Override
    public LanguageModel build(T5Config config, WeightSource weights, HfModelDir dir) {
        return new T5Model(config, weights);
    }

    @Override
    public Map<String, long[]> stateDictShapes(T5Config config) {
        return T5Graph.stateDictShapes(config);
    }

    @Override
    public Batching batching() {
        return Batching.SEQ2SEQ;
    }

    @Override
    public RunDefaults runDefaults() {
        return RUN;
    }

    @Override
    public double stepFlops(T5Config c, int batch, int src, int tgt, int r, Predicate<String> lora) {
        double d = c.dModel();
        double inner = c.innerDim();
        double ff = c.dFf() * (c.isGatedAct() ? 2 : 1);
        double ns = (double) batch * src;
        double nt = (double) batch * tgt;
        Flops f = new Flops();
        for (int l = 0; l < c.numLayers(); l++) {
            f.linear(ns, d, inner, 3, lora.test("q") ? r : 0, lora.test("k") ? r : 0, lora.test("v") ? r : 0);
            f.linear(ns, inner, d, 1, lora.test("o") ? r : 0, 0, 0);
            f.forward += 2 * 2 * ns * src * inner;                            // scores and context
            f.forward += 2 * ns * d * ff + 2 * ns * c.dFf() * d;
        }
        for (int l = 0; l < c.numDecoderLayers(); l++) {
            f.linear(nt, d, inner, 3, lora.test("q") ? r : 0, lora.test("k") ? r : 0, lora.test("v") ? r : 0);
            f.linear(nt, inner, d, 1, lora.test("o") ? r : 0, 0, 0);
            f.forward += 2 * 2 * nt * tgt * inner;
            f.linear(nt, d, inner, 1, lora.test("q") ? r : 0, 0, 0);        // cross q
            f.linear(ns, d, inner, 2, lora.test("k") ? r : 0, lora.test("v") ? r : 0, 0); // cross k, v
            f.linear(nt, inner, d, 1, lora.test("o") ? r : 0, 0, 0);
            f.forward += 2 * 2 * nt * src * inner;
            f.forward += 2 * nt * d * ff + 2 * nt * c.dFf() * d;
        }
        f.forward += 2 * nt * d * c.vocabSize();
        return f.step();
    }

    /**
     * As {@link DecoderFamily#activationFloats}, per encoder layer on B·S rows and per decoder layer on B·T rows
     * (self- and cross-attention), then the decoder's logits.
     */
    @Override
    public long activationFloats(T5Config c, int batch, int src, int tgt) {
        long ns = (long) batch * src;
        long nt = (long) batch * tgt;
        long ff = (long) c.dFf() * (c.isGatedAct() ? 2 : 1);
        long enc = ns * (8L * c.dModel() + 6L * c.innerDim() + 3 * ff) + 3L * batch * c.numHeads() * src * (long) src;
        long dec = nt * (10L * c.dModel() + 9L * c.innerDim() + 3 * ff)
                + 3L * batch * c.numHeads() * tgt * ((long) tgt + src);
        return c.numLayers() * enc + c.numDecoderLayers() * dec + 4 * nt * c.vocabSize();
    }
}
