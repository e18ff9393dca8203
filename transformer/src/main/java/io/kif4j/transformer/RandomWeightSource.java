package io.kif4j.transformer;

import io.kif4j.common.KifInputException;
import io.kif4j.weights.WeightSource;
import io.kif4j.weights.safetensors.DType;
import io.kif4j.weights.safetensors.TensorInfo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Random float32 tensors with given names and shapes, for building full-size graphs without a checkpoint
 * (benchmarks: {@code kif bench}). Each tensor depends only on the seed and its name. Vectors (norm weights) are drawn around 1,
 * everything else from N(0, std²).
 */
public class RandomWeightSource implements WeightSource {

    private final Map<String, long[]> shapes;
    private final long seed;
    private final double std;

    public RandomWeightSource(Map<String, long[]> shapes, long seed, double std) {
        this.shapes = new LinkedHashMap<>(shapes);
        this.seed = seed;
        this.std = std;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(shapes.keySet());
    }

    @Override
    public TensorInfo info(String name) {
        long[] shape = shapes.get(name);
        if (shape == null) {
            throw new KifInputException(this + ": no tensor '" + name + "'");
        }
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return new TensorInfo(name, DType.F32, shape.clone(), 0, n * 4);
    }

    @Override
    public INDArray load(String name) {
        long[] shape = info(name).shape();
        Nd4j.getRandom().setSeed(seed * 31 + name.hashCode());
        INDArray a = Nd4j.randn(DataType.FLOAT, shape);
        return shape.length == 1 ? a.muli(0.1).addi(1.0) : a.muli(std);
    }

    @Override
    public String toString() {
        return "random weights (seed " + seed + ")";
    }
}
