package io.kif4j.transformer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Row selection for handing one cached tensor row to several decoding rows. */
public final class Rows {

    private Rows() {
    }

    /** Copies of the given slices along dimension 0 of a rank-4 array, in order (repeats allowed). */
    public static INDArray of(INDArray a, long[] rows) {
        return a.get(NDArrayIndex.indices(rows), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
    }
}
