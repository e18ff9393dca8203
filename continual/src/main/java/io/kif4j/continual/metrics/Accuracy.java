package io.kif4j.continual.metrics;

/** Exact match after {@link AnswerNormalization}: 1 or 0 per example (KIF uses sklearn's accuracy_score). */
public record Accuracy(AnswerNormalization normalization) implements Metric {

    public static final String NAME = "accuracy";

    public Accuracy() {
        this(AnswerNormalization.KIF);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double score(String prediction, String reference) {
        return normalization.apply(prediction).equals(normalization.apply(reference)) ? 1.0 : 0.0;
    }
}
