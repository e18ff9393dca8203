package io.kif4j.continual.metrics;

/**
 * One line of a predictions file: {@code {"prediction": …, "reference": …, "metric"?: …, "task"?: …}}.
 *
 * @param line       1-based line number in the file (0 when not from a file)
 * @param prediction the generated text
 * @param reference  the gold text
 * @param metric     "accuracy" or "rougeL", or null to look it up by task
 * @param task       task name, or null
 */
public record PredictionRecord(int line, String prediction, String reference, String metric, String task) {
}
