package io.kif4j.weights;

import io.kif4j.weights.safetensors.TensorInfo;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Set;

/** Named tensors of a checkpoint: one safetensors file, or several shards behind an index. */
public interface WeightSource {

    Set<String> names();

    /** Header entry of {@code name}; throws {@link KifInputException} when there is none. */
    TensorInfo info(String name);

    /** Loads {@code name}; floating tensors come back as FLOAT whatever their stored dtype. */
    INDArray load(String name);

    default boolean contains(String name) {
        return names().contains(name);
    }
}
