package io.kif4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Viterbi segmentation of a unigram language model, as SentencePiece's {@code EncodeOptimized} and Hugging Face's
 * {@code encode_optimized} do it: the best-scoring path over the pieces of a trie, one {@code unk} step for a
 * character no piece starts with. The two differ only in arithmetic (float vs double), in which pieces are in the
 * trie, and in SentencePiece's bonus for user-defined pieces; the caller picks those.
 */
final class Unigram {

    /** One segment [start, end) of the input (UTF-16 indices) and its id. */
    record Segment(int start, int end, int id) {
    }

    private final Trie trie = new Trie();
    private final double[] scores;
    private final boolean[] userDefined;
    private final int unkId;
    private final double unkScore;
    private final double maxScore;
    private final boolean float32;

    /**
     * @param inTrie    ids whose piece may be matched
     * @param pieces    piece text by id
     * @param scores    score by id
     * @param float32   accumulate path scores in float, as SentencePiece does
     */
    Unigram(String[] pieces, double[] scores, boolean[] inTrie, boolean[] userDefined, int unkId,
            double unkScore, double maxScore, boolean float32) {
        this.scores = scores;
        this.userDefined = userDefined;
        this.unkId = unkId;
        this.unkScore = unkScore;
        this.maxScore = maxScore;
        this.float32 = float32;
        for (int id = 0; id < pieces.length; id++) {
            if (inTrie[id]) {
                trie.put(pieces[id], id);
            }
        }
    }

    List<Segment> encode(String s) {
        int n = s.length();
        if (n == 0) {
            return List.of();
        }
        double[] best = new double[n + 1];
        int[] from = new int[n + 1];
        int[] ids = new int[n + 1];
        Arrays.fill(from, -1);
        for (int start = 0; start < n; ) {
            int charLen = Character.charCount(s.codePointAt(start));
            double here = best[start];
            boolean hasSingle = false;
            int node = 0;
            for (int pos = start; pos < n; pos++) {
                node = trie.child(node, s.charAt(pos));
                if (node < 0) {
                    break;
                }
                int id = trie.id(node);
                if (id < 0) {
                    continue;
                }
                int end = pos + 1;
                double score = userDefined != null && userDefined[id]
                        // SentencePiece makes user-defined symbols always win, by their UTF-8 length.
                        ? utf8Length(s, start, end) * maxScore - 0.1
                        : scores[id];
                double candidate = add(score, here);
                if (from[end] == -1 || candidate > best[end]) {
                    best[end] = candidate;
                    from[end] = start;
                    ids[end] = id;
                }
                if (end - start == charLen) {
                    hasSingle = true;
                }
            }
            if (!hasSingle) {
                int end = start + charLen;
                double candidate = add(unkScore, here);
                if (from[end] == -1 || candidate > best[end]) {
                    best[end] = candidate;
                    from[end] = start;
                    ids[end] = unkId;
                }
            }
            start += charLen;
        }
        List<Segment> out = new ArrayList<>();
        for (int end = n; end > 0; end = from[end]) {
            out.add(new Segment(from[end], end, ids[end]));
        }
        java.util.Collections.reverse(out);
        return out;
    }

    private double add(double score, double pathScore) {
        return float32 ? (float) ((float) score + (float) pathScore) : score + pathScore;
    }

    private static int utf8Length(String s, int start, int end) {
        return s.substring(start, end).getBytes(StandardCharsets.UTF_8).length;
    }

    /** A character trie: node 0 is the root; children in one hash map keyed by (node, char). */
    private static final class Trie {
        private final Map<Long, Integer> children = new HashMap<>();
        private int[] ids = {-1};
        private int size = 1;

        void put(String key, int id) {
            int node = 0;
            for (int i = 0; i < key.length(); i++) {
                long k = (long) node << 16 | key.charAt(i);
                Integer next = children.get(k);
                if (next == null) {
                    if (size == ids.length) {
                        ids = Arrays.copyOf(ids, size * 2);
                    }
                    ids[size] = -1;
                    next = size++;
                    children.put(k, next);
                }
                node = next;
            }
            if (ids[node] < 0) { // first wins, as a map from piece to id would keep one
                ids[node] = id;
            }
        }

        int child(int node, char c) {
            Integer next = children.get((long) node << 16 | c);
            return next == null ? -1 : next;
        }

        int id(int node) {
            return ids[node];
        }
    }
}
