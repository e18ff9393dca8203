package io.kif4j.transformer.decode;

import io.kif4j.transformer.nn.LinearAdapter;

/**
 * HF's {@code nn.Linear} on a fixed number of rows, y = x·Wᵀ (+ b) (+ scaling·(x·Aᵀ)·Bᵀ of the adapter), as
 * {@link io.kif4j.transformer.nn.Linear} computes it in the graph: the LoRA term stays low-rank (two thin
 * products per call instead of a merged copy of W per generation), scaled on the narrow [rows, r] side.
 */
final class LeanLinear {

    final int in;
    final int out;
    private final Buf weight; // [out, in]
    private final Buf bias;   // [out] or null
    private final Buf loraA;  // [r, in] or null
    private final Buf loraB;  // [out, r]
    private final Buf narrow; // [rows, r]
    private final int r;
    private final float scaling;
    private final Buf transposed; // [out, rows]: the product in the weight-first orientation, or null
    private final float[] xs;     // VectorLinear's scratch, null on sgemm: x [rows · in],
    private final float[] xp;     // x packed [rows · in],
    private final float[] ys;     // y [rows · out]

    /** On sgemm, outputs up to this wide run weight-first ({@link Blas#linearTransposed}); the head does not. */
    static final int TRANSPOSED_MAX_OUT = 16384;

    /**
     * @param path    the HF module path the adapter sees, or null for a layer the graph does not adapt
     * @param weight  [out, in]
     * @param bias    [out] or null
     */
    LeanLinear(String path, Buf weight, Buf bias, long in, long out, LinearAdapter adapter, int rows) {
        this.in = Math.toIntExact(in);
        this.out = Math.toIntExact(out);
        this.weight = weight;
        this.bias = bias;
        boolean vector = Blas.vectorKernel();
        transposed = !vector && out <= TRANSPOSED_MAX_OUT ? Buf.zeros(out, rows) : null;
        xs = vector ? new float[Math.toIntExact(rows * in)] : null;
        xp = vector ? new float[xs.length] : null;
        ys = vector ? new float[Math.toIntExact(rows * out)] : null;
        LinearAdapter.LowRank lr = path == null ? null : adapter.lowRank(path, in, out);
        if (lr != null) {
            loraA = Buf.of(lr.a());
            loraB = Buf.of(lr.b());
            r = Math.toIntExact(lr.a().size(0));
            scaling = (float) lr.scaling();
            narrow = Buf.zeros(rows, r);
        } else {
            loraA = null;
            loraB = null;
            narrow = null;
            r = 0;
            scaling = 0;
        }
    }

    /** x [rows, in] → y [rows, out], overwriting y. */
    void forward(Buf x, Buf y, int rows) {
        if (xs != null) {
            Blas.vectorLinear(x, weight, bias, y, rows, in, out, xs, xp, ys);
        } else if (transposed != null) {
            Blas.linearTransposed(x, weight, transposed, rows, in, out);
            for (int j = 0; j < out; j++) {
                float b = bias == null ? 0f : bias.get(j);
                for (int i = 0; i < rows; i++) {
                    y.put(i * out + j, transposed.get(j * rows + i) + b);
                }
            }
        } else {
            Blas.linear(x, weight, y, rows, in, out);
            if (bias != null) {
                for (int i = 0; i < rows; i++) {
                    int o = i * out;
                    for (int j = 0; j < out; j++) {
                        y.put(o + j, y.get(o + j) + bias.get(j));
                    }
                }
            }
        }
        if (loraA != null) {
            Blas.gemm(true, rows, r, in, scaling, x, 0, in, loraA, 0, in, 0f, narrow, 0, r);
            Blas.gemm(true, rows, out, r, 1f, narrow, 0, r, loraB, 0, r, 1f, y, 0, out);
        }
    }
}
