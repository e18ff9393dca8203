package io.kif4j.continual.tensors;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moving LoRA-sized tensors between ND4J and Java arrays. The importance and fusion arithmetic runs as plain
 * loops over {@code float[]}: on LoRA matrices (a few thousand elements) one native ND4J op costs tens to hundreds
 * of microseconds of dispatch, far more than the arithmetic, and a loop fuses all steps of an equation in one pass.
 */
public final class HostArrays {

    private HostArrays() {
    }

    /** The elements of {@code x} in C (row-major) order, as floats, into {@code dst} (allocated when null). */
    public static float[] read(INDArray x, float[] dst) {
        long n = x.length();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("array too large for a host copy: " + n);
        }
        float[] out = dst != null ? dst : new float[(int) n];
        if (out.length != n) {
            throw new IllegalArgumentException("buffer of " + out.length + " floats for an array of " + n);
        }
        boolean plain = x.dataType() == DataType.FLOAT && x.ordering() == 'c' && !x.isView() && x.offset() == 0
                && x.data().length() == n;
        INDArray src = plain ? x : x.castTo(DataType.FLOAT).dup('c');
        src.data().asNioFloat().get(out, 0, (int) n); // one bulk copy from native memory
        return out;
    }

    /** A new float INDArray of {@code shape} holding {@code data} in C order. */
    public static INDArray create(float[] data, long... shape) {
        return Nd4j.create(data, shape, 'c');
    }
}
