package io.kif4j.continual.metrics;

/** Precision, recall and F-measure of one ROUGE comparison, each in [0, 1]. */
public record RougeScore(double precision, double recall, double fmeasure) {

    public static final RougeScore ZERO = new RougeScore(0, 0, 0);
}
