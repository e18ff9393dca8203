package io.kif4j.continual.metrics;

import java.util.List;

/**
 * A task's score: the mean per-example metric, as a percentage.
 *
 * @param task     task name
 * @param metric   "accuracy" or "rougeL"
 * @param examples examples scored
 * @param score    100 × the mean of the per-example scores; 0 when there are no examples
 */
public record TaskScore(String task, String metric, int examples, double score) {

    /**
     * Scores {@code predictions} against {@code references} (same length) with {@code metricName}, applying the
     * options' normalization and, for task363, its quirk.
     */
    public static TaskScore of(String task, String metricName, List<String> predictions, List<String> references,
                               ScoringOptions options) {
        if (predictions.size() != references.size()) {
            throw new IllegalArgumentException(task + ": " + predictions.size() + " predictions for "
                    + references.size() + " references");
        }
        Metric metric = options.metric(metricName);
        double sum = 0;
        for (int i = 0; i < predictions.size(); i++) {
            sum += metric.score(options.adjustPrediction(task, predictions.get(i)), references.get(i));
        }
        double mean = predictions.isEmpty() ? 0 : sum / predictions.size();
        return new TaskScore(task, metric.name(), predictions.size(), 100 * mean);
    }
}
