package io.kif4j.continual.metrics;

/**
 * A per-example score in [0, 1]; a task's score is the mean over its examples, reported as a percentage.
 */
public interface Metric {

    /** "accuracy" or "rougeL". */
    String name();

    double score(String prediction, String reference);
}
