package io.kif4j.transformer.testing;

import java.util.function.IntSupplier;

/** Candidate continuations (labels) of varied lengths for the cached-prompt scoring tests. */
public final class Candidates {

    private Candidates() {
    }

    /**
     * The candidates of prompt {@code p}: 2 + p of them, candidate j of 1 + (j + p) % 4 tokens drawn from
     * {@code token} in order; sets {@code counted[p]} to count every token but the second.
     */
    public static int[][] random(int p, IntSupplier token, boolean[][][] counted) {
        int[][] out = new int[2 + p][];
        counted[p] = new boolean[out.length][];
        for (int j = 0; j < out.length; j++) {
            out[j] = new int[1 + (j + p) % 4];
            counted[p][j] = new boolean[out[j].length];
            for (int t = 0; t < out[j].length; t++) {
                out[j][t] = token.getAsInt();
                counted[p][j][t] = t != 1;
            }
        }
        return out;
    }
}
