package io.kif4j.transformer.decode;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A dense float32 row-major array the lean decoder reads and writes both from Java ({@link #fb}, absolute
 * get/put on the native memory) and from the BLAS ({@link #at}: a pointer at an element offset). Wraps an
 * {@link INDArray} that owns the memory, so ND4J ops (softmax, activations) run on it too.
 */
final class Buf {

    final INDArray nd;
    final FloatBuffer fb;
    /** The same memory as bytes in native order (the Vector API's view, {@link VectorLinear}). */
    final ByteBuffer bytes;
    private final FloatPointer base;
    private final FloatPointer cursor;

    private Buf(INDArray nd) {
        this.nd = nd;
        this.base = new FloatPointer(nd.data().addressPointer());
        this.cursor = new FloatPointer(base);
        this.bytes = nd.data().asNio().order(ByteOrder.nativeOrder());
        this.fb = bytes.asFloatBuffer();
    }

    /** Zeros of {@code shape}. */
    static Buf zeros(long... shape) {
        return new Buf(Nd4j.create(DataType.FLOAT, shape, 'c'));
    }

    /** {@code a} itself when it is a dense row-major float array of its own, else a copy (a view, 'f' order). */
    static Buf of(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("expected a float array, got " + a.dataType());
        }
        boolean dense = !a.isView() && a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length();
        return new Buf(dense ? a : a.dup('c'));
    }

    /** The memory from element {@code offset} on, for one BLAS argument (valid until the next call). */
    FloatPointer at(long offset) {
        return cursor.position(offset);
    }

    /** A second cursor, for calls that pass two places of one array. */
    FloatPointer at2(long offset) {
        return new FloatPointer(base).position(offset);
    }

    float get(int i) {
        return fb.get(i);
    }

    void put(int i, float v) {
        fb.put(i, v);
    }
}
