package io.kif4j.transformer.decode;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * HF's greedy loop (do_sample false, num_beams 1) over any decoding step: the argmax of each step's logits; with
 * {@code stopAtEos} a row that emits EOS keeps it and is filled with pad afterwards, and decoding ends when every
 * row has stopped.
 */
public final class Greedy {

    /** Feeds the chosen tokens [B] and returns the next logits [B, V]. */
    public interface Step {
        INDArray next(int[] tokens);
    }

    /** The new tokens of each step ([B] each) and the logits they were chosen from ([B, V] each). */
    public record Decoded(List<int[]> tokens, List<INDArray> logits) {
    }

    private Greedy() {
    }

    /** @param first the logits after the prompt [B, V] */
    public static Decoded run(INDArray first, int maxNewTokens, boolean stopAtEos, int eos, int pad, Step step) {
        INDArray logits = first;
        int b = (int) first.size(0);
        List<int[]> tokens = new ArrayList<>();
        List<INDArray> stepLogits = new ArrayList<>();
        boolean[] finished = new boolean[b];
        for (int s = 0; s < maxNewTokens; s++) {
            stepLogits.add(logits);
            int[] next = argmax(logits);
            boolean allDone = true;
            for (int r = 0; r < b; r++) {
                if (finished[r]) {
                    next[r] = pad;
                } else if (stopAtEos && next[r] == eos) {
                    finished[r] = true;
                }
                allDone &= finished[r];
            }
            tokens.add(next);
            if ((stopAtEos && allDone) || s == maxNewTokens - 1) {
                break;
            }
            logits = step.next(next);
        }
        return new Decoded(tokens, stepLogits);
    }

    /** The first largest entry of each row of [B, V], as torch.argmax. */
    static int[] argmax(INDArray logits) {
        if (logits.dataType() != DataType.FLOAT) {
            return argmaxAnyType(logits);                 // float64 models (Models.load with DOUBLE) decode on the graph
        }
        Buf l = Buf.of(logits);
        int rows = (int) logits.size(0);
        int v = (int) logits.size(1);
        int[] best = new int[rows];
        float[] row = new float[v];
        for (int r = 0; r < rows; r++) {
            l.fb.get(r * v, row);                      // one bulk copy: a scan of the direct buffer is slower
            float max = row[0];
            for (int i = 1; i < v; i++) {
                if (row[i] > max) {
                    max = row[i];
                    best[r] = i;
                }
            }
        }
        return best;
    }

    private static int[] argmaxAnyType(INDArray logits) {
        double[][] rows = logits.toDoubleMatrix();
        int[] best = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            for (int i = 1; i < rows[r].length; i++) {
                if (rows[r][i] > rows[r][best[r]]) {
                    best[r] = i;
                }
            }
        }
        return best;
    }
}
