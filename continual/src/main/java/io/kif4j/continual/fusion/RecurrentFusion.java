package io.kif4j.continual.fusion;

import io.kif4j.continual.tensors.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Recurrent-KIF fusion (spec §6.2), element by element over every LoRA scalar: Δ_in = θ_k − θ_anchor,
 * Δ_out = θ − θ_k, masks m = 1[s &gt; Q_q(all s of that kind)] with one global quantile per kind, and
 * θ ← θ_anchor + ω_in·Δ_in + ω_out·Δ_out with (ω_in, ω_out) = (0.4, 0.6) when both masks are set, (1, 0) or (0, 1)
 * when one is, (0.5, 0.5) when neither.
 *
 * <p>Everything is float32 as in the authors' code: the quantile is {@code torch.quantile} on the concatenated
 * float32 scores ({@link #torchQuantile}), the comparison is float32 against float32, and the update is
 * {@code anchor + (ω_in·Δ_in + ω_out·Δ_out)} in float32, so masks agree exactly, ties at the threshold included
 * (a score equal to it is not important).
 */
public final class RecurrentFusion {

    /** (ω_in, ω_out) for: both masks set, inner only, outer only, neither (spec §6.2). */
    static final float[][] OMEGA = {{0.4f, 0.6f}, {1f, 0f}, {0f, 1f}, {0.5f, 0.5f}};

    public static final String BOTH = "both";
    public static final String INNER_ONLY = "inner_only";
    public static final String OUTER_ONLY = "outer_only";
    public static final String NEITHER = "neither";
    private static final String[] CASES = {BOTH, INNER_ONLY, OUTER_ONLY, NEITHER};

    /**
     * @param fused      θ after the fusion (the next round's anchor), by variable name, new arrays
     * @param omegaIn    ω_in per element, by variable name
     * @param omegaOut   ω_out per element
     * @param thresholds {Q_q(inner scores), Q_q(outer scores)} as float32 values
     * @param counts     elements per case ({@link #BOTH}, {@link #INNER_ONLY}, {@link #OUTER_ONLY}, {@link #NEITHER})
     */
    public record Result(Map<String, INDArray> fused, Map<String, INDArray> omegaIn, Map<String, INDArray> omegaOut,
                         float[] thresholds, Map<String, Integer> counts) {
    }

    private RecurrentFusion() {
    }

    /**
     * One round's fusion (spec §6.2). All maps are keyed by LoRA variable name and must hold the same names and
     * shapes; the inputs are not modified.
     *
     * @param anchor      θ_anchor, the parameters at the start of the round
     * @param inner       θ_k, after the Q inner steps
     * @param current     θ, after the M outer steps
     * @param innerScores s_in = Ī_in·Ū_in per element
     * @param outerScores s_out = Ī_out·Ū_out per element
     * @param quantile    q in [0, 1] (0.8)
     */
    public static Result fuse(Map<String, INDArray> anchor, Map<String, INDArray> inner, Map<String, INDArray> current,
                              Map<String, INDArray> innerScores, Map<String, INDArray> outerScores, double quantile) {
        for (var m : java.util.List.of(anchor, inner, innerScores, outerScores)) {
            if (!m.keySet().equals(current.keySet())) {
                throw new IllegalArgumentException("the parameters and scores of a Recurrent-KIF fusion cover different "
                        + "LoRA variables: " + current.keySet() + " vs " + m.keySet());
            }
        }
        float qIn = torchQuantile(innerScores.values(), quantile);
        float qOut = torchQuantile(outerScores.values(), quantile);
        Map<String, INDArray> fused = new LinkedHashMap<>();
        Map<String, INDArray> wIn = new LinkedHashMap<>();
        Map<String, INDArray> wOut = new LinkedHashMap<>();
        int[] counts = new int[4];
        for (String k : current.keySet()) {
            long[] shape = current.get(k).shape();
            for (var m : java.util.List.of(anchor, inner, innerScores, outerScores)) {
                if (!Arrays.equals(m.get(k).shape(), shape)) {
                    throw new IllegalArgumentException(k + " has shape " + Arrays.toString(m.get(k).shape())
                            + " in one input and " + Arrays.toString(shape) + " in another");
                }
            }
            float[] a = HostArrays.read(anchor.get(k), null);
            float[] th = HostArrays.read(inner.get(k), null);
            float[] t = HostArrays.read(current.get(k), null);
            float[] si = HostArrays.read(innerScores.get(k), null);
            float[] so = HostArrays.read(outerScores.get(k), null);
            float[] out = new float[t.length];
            float[] oi = new float[t.length];
            float[] oo = new float[t.length];
            for (int j = 0; j < t.length; j++) {
                boolean mIn = si[j] > qIn;
                boolean mOut = so[j] > qOut;
                int c = mIn ? (mOut ? 0 : 1) : (mOut ? 2 : 3);
                counts[c]++;
                oi[j] = OMEGA[c][0];
                oo[j] = OMEGA[c][1];
                float dIn = th[j] - a[j];
                float dOut = t[j] - th[j];
                out[j] = a[j] + (oi[j] * dIn + oo[j] * dOut);
            }
            fused.put(k, HostArrays.create(out, shape));
            wIn.put(k, HostArrays.create(oi, shape));
            wOut.put(k, HostArrays.create(oo, shape));
        }
        Map<String, Integer> byCase = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            byCase.put(CASES[i], counts[i]);
        }
        return new Result(fused, wIn, wOut, new float[]{qIn, qOut}, byCase);
    }

    /**
     * {@code torch.quantile(x, q)} of all elements of the float32 arrays, in float32 as torch computes it: rank
     * h = float(q)·(n − 1), lower index ⌊h⌋, weight w = h − ⌊h⌋, and {@code lerp} from the nearer end
     * (x_lo + w·(x_hi − x_lo) when w &lt; ½, else x_hi − (x_hi − x_lo)·(1 − w)). numpy's quantile of the same
     * float32 array can differ in the last bits, which matters only for ties at the threshold.
     */
    public static float torchQuantile(Collection<INDArray> arrays, double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
        }
        long total = 0;
        for (INDArray a : arrays) {
            total += a.length();
        }
        if (total == 0 || total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot take a quantile of " + total + " elements");
        }
        float[] all = new float[(int) total];
        int at = 0;
        for (INDArray a : arrays) {
            float[] v = HostArrays.read(a, null);
            System.arraycopy(v, 0, all, at, v.length);
            at += v.length;
        }
        for (float x : all) {
            if (Float.isNaN(x)) {
                return Float.NaN; // torch.quantile propagates NaN; no element is then above it
            }
        }
        Arrays.sort(all);
        float rank = (float) q * (float) (all.length - 1);
        int lo = (int) rank;
        int hi = (int) Math.ceil(rank);
        float w = rank - lo;
        float a = all[lo];
        float b = all[Math.min(hi, all.length - 1)];
        return w < 0.5f ? a + w * (b - a) : b - (b - a) * (1f - w);
    }
}
