package io.kif4j.transformer.testing;

import java.util.Map;

/** Kept for tests written against this name; the class lives in main as {@link io.kif4j.transformer.RandomWeightSource}. */
public final class RandomWeightSource extends io.kif4j.transformer.RandomWeightSource {

    public RandomWeightSource(Map<String, long[]> shapes, long seed, double std) {
        super(shapes, seed, std);
    }
}
