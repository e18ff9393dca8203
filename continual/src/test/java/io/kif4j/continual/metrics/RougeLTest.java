package io.kif4j.continual.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RougeLTest {

    static final double EPS = 1e-12;
    final RougeL rouge = new RougeL();

    @Test
    void stemmingMatchesInflections() {
        // "running" and "runs" both stem to "run"
        assertEquals(1.0, rouge.score("running", "runs"), EPS);
        assertEquals(0.0, new RougeL(AnswerNormalization.KIF, false).score("running", "runs"), EPS);
        // "killed" -> "kill": every token matches
        assertEquals(1.0, rouge.score("police kill the gunman", "police killed the gunman"), EPS);
    }

    @Test
    void emptyPredictionOrReferenceScoresZero() {
        assertEquals(RougeScore.ZERO, rouge.scoreRaw("the cat", ""));
        assertEquals(RougeScore.ZERO, rouge.scoreRaw("", "the cat"));
        assertEquals(RougeScore.ZERO, rouge.scoreRaw("", ""));
        assertEquals(0.0, rouge.score("", "the cat"), EPS);
        assertEquals(0.0, rouge.score("the cat", ""), EPS);
        // punctuation alone leaves no token
        assertEquals(0.0, rouge.score("?!", "the cat"), EPS);
    }

    @Test
    void handWorkedLcsCases() {
        // LCS "the cat on the mat" = 5 of 6 tokens each way: P = R = F = 5/6
        RougeScore s = rouge.scoreRaw("the cat sat on the mat", "the cat was on the mat");
        assertEquals(5.0 / 6, s.precision(), EPS);
        assertEquals(5.0 / 6, s.recall(), EPS);
        assertEquals(5.0 / 6, s.fmeasure(), EPS);
        // order matters: LCS of "the gunman police killed" vs "police killed the gunman" is 2 of 4
        assertEquals(0.5, rouge.score("the gunman police killed", "police killed the gunman"), EPS);
        // target "a b c d", prediction "a c": P = 1, R = 1/2, F = 2/3
        RougeScore partial = rouge.scoreRaw("a b c d", "a c");
        assertEquals(1.0, partial.precision(), EPS);
        assertEquals(0.5, partial.recall(), EPS);
        assertEquals(2.0 / 3, partial.fmeasure(), EPS);
        // case and punctuation are not tokens
        assertEquals(1.0, rouge.score("Hello, World!", "hello world"), EPS);
    }

    @Test
    void agreesWithRougeScoreOnSentences() {
        // expected (P, R, F) computed with rouge_score's tokenizer rules and NLTK 3.8's PorterStemmer
        check("The quick brown foxes were jumping over the lazy dogs.", "A quick brown fox jumps over the lazy dog",
                0.8888888888888888, 0.8, 0.8421052631578948);
        check("He was elected President of the United States in 2008.",
                "In 2008, he won the presidential election of the United States.",
                0.5454545454545454, 0.6, 0.5714285714285713);
        check("Scientists have discovered a new species of frog in the Amazon rainforest.",
                "A new frog species was discovered by scientists in the Amazon.",
                0.5454545454545454, 0.5, 0.5217391304347826);
        check("I'm looking for a cheap restaurant in the centre of town.", "i am looking for a cheap restaurant in the center",
                0.8, 0.6666666666666666, 0.7272727272727272);
    }

    @Test
    void tokenizesAsRougeScore() {
        assertEquals(List.of("i", "m", "look", "for", "a", "cheap", "restaur", "in", "the", "centr", "of", "town"),
                rouge.tokenize("I'm looking for a cheap restaurant in the centre of town."));
        assertEquals(List.of("caf", "2019", "abc123"), rouge.tokenize("Café 2019 abc123s"));
    }

    @Test
    void kifNormalizationRemovesSpecialTokensBeforeScoring() {
        assertEquals(1.0, rouge.score("<pad> the cat</s>", "The cat"), EPS);
    }

    void check(String target, String prediction, double p, double r, double f) {
        RougeScore s = rouge.scoreRaw(target, prediction);
        assertEquals(p, s.precision(), EPS, "precision");
        assertEquals(r, s.recall(), EPS, "recall");
        assertEquals(f, s.fmeasure(), EPS, "F");
    }
}
