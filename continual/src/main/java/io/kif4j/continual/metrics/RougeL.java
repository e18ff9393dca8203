package io.kif4j.continual.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ROUGE-L F-measure exactly as Google's {@code rouge_score.RougeScorer(['rougeL'], use_stemmer=True)}:
 * <ol>
 *   <li>tokenize: lower-case, replace every run of characters outside {@code [a-z0-9]} with a space, split;</li>
 *   <li>Porter-stem (NLTK's) each token longer than 3 characters;</li>
 *   <li>LCS of the token lists: precision = LCS / prediction tokens, recall = LCS / reference tokens,
 *       F = 2PR / (P + R); all 0 when either list is empty.</li>
 * </ol>
 * Before that, both texts pass through {@link AnswerNormalization} (KIF: {@code </s>} and {@code <pad>}
 * removed, stripped, lower-cased, which does not change the tokens otherwise).
 */
public final class RougeL implements Metric {

    public static final String NAME = "rougeL";

    private final PorterStemmer stemmer = new PorterStemmer();
    private final AnswerNormalization normalization;
    private final boolean useStemmer;

    public RougeL() {
        this(AnswerNormalization.KIF, true);
    }

    public RougeL(AnswerNormalization normalization, boolean useStemmer) {
        this.normalization = normalization;
        this.useStemmer = useStemmer;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The F-measure of {@code prediction} against {@code reference}, both normalized first. */
    @Override
    public double score(String prediction, String reference) {
        return scoreRaw(normalization.apply(reference), normalization.apply(prediction)).fmeasure();
    }

    /** rouge_score's {@code score(target, prediction)}, argument order included; no answer normalization. */
    public RougeScore scoreRaw(String target, String prediction) {
        return lcsScore(tokenize(target), tokenize(prediction));
    }

    /** rouge_score's {@code tokenize.tokenize(text, stemmer)}. */
    public List<String> tokenize(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int n = lower.length();
        while (i < n) {
            while (i < n && !isAlnum(lower.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && isAlnum(lower.charAt(i))) {
                i++;
            }
            if (i > start) {
                String token = lower.substring(start, i);
                tokens.add(useStemmer && token.length() > 3 ? stemmer.stem(token) : token);
            }
        }
        return tokens;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    static RougeScore lcsScore(List<String> target, List<String> prediction) {
        if (target.isEmpty() || prediction.isEmpty()) {
            return RougeScore.ZERO;
        }
        int lcs = lcsLength(target, prediction);
        double precision = (double) lcs / prediction.size();
        double recall = (double) lcs / target.size();
        double f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
        return new RougeScore(precision, recall, f);
    }

    /** Length of the longest common subsequence, in O(n·m) time and O(m) memory. */
    static int lcsLength(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1];
        int[] cur = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            String ai = a.get(i - 1);
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = ai.equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.size()];
    }
}
