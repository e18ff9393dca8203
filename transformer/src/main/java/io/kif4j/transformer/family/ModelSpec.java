package io.kif4j.transformer.family;

import io.kif4j.transformer.LanguageModel;
import io.kif4j.weights.HfModelDir;
import io.kif4j.weights.WeightSource;

import java.util.Map;
import java.util.function.Predicate;

/** A family with one of its configs: what is known about a model before (or without) its weights. */
public record ModelSpec<C>(Family<C> family, C config) {

    public LanguageModel build(WeightSource weights, HfModelDir dir) {
        return family.build(config, weights, dir);
    }

    public Map<String, long[]> stateDictShapes() {
        return family.stateDictShapes(config);
    }

    /** Parameters of the base model (every tensor of the state dict). */
    public long parameterCount() {
        long n = 0;
        for (long[] shape : stateDictShapes().values()) {
            long size = 1;
            for (long d : shape) {
                size *= d;
            }
            n += size;
        }
        return n;
    }

    public double stepFlops(int batch, int src, int tgt, int r, Predicate<String> lora) {
        return family.stepFlops(config, batch, src, tgt, r, lora);
    }

    public long activationFloats(int batch, int src, int tgt) {
        return family.activationFloats(config, batch, src, tgt);
    }

    /** The spec of a loaded model. */
    public static ModelSpec<?> of(LanguageModel model) {
        return of(Families.of(model), model);
    }

    private static <C> ModelSpec<C> of(Family<C> f, LanguageModel model) {
        return new ModelSpec<>(f, f.config(model));
    }
}
