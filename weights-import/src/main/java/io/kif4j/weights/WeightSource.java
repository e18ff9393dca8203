package io.kif4j.weights;

import io.kif4j.weights.safetensors.TensorInfo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Set;

/** Named tensors of a checkpoint: one safetensors file, or several shards behind an index. */
public interface WeightSource {

    Set<String> names();

    /** Header entry of {@code name}; throws {@link KifInputException} when there is none. */
    TensorInfo info(String name);

    /** Loads {@code name}; floating tensors come back as {@link #floatType()} whatever their stored dtype. */
    INDArray load(String name);

    /** The dtype floating tensors load as: FLOAT, unless this source was made by {@link #castTo}. */
    default DataType floatType() {
        return DataType.FLOAT;
    }

    /**
     * This source with its floating tensors cast to {@code floatType} on load (integer ones unchanged): DOUBLE
     * builds float64 graphs, for float64 checks of gradients on tiny models; kif4j itself runs in FLOAT.
     */
    default WeightSource castTo(DataType floatType) {
        if (floatType == floatType()) {
            return this;
        }
        WeightSource source = this;
        return new WeightSource() {
            @Override
            public Set<String> names() {
                return source.names();
            }

            @Override
            public TensorInfo info(String name) {
                return source.info(name);
            }

            @Override
            public INDArray load(String name) {
                INDArray a = source.load(name);
                return a.dataType() == source.floatType() ? a.castTo(floatType) : a;
            }

            @Override
            public DataType floatType() {
                return floatType;
            }

            @Override
            public String toString() {
                return source + " as " + floatType;
            }
        };
    }

    default boolean contains(String name) {
        return names().contains(name);
    }
}
