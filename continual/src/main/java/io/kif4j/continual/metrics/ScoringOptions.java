package io.kif4j.continual.metrics;

/**
 * Options of answer matching.
 *
 * @param normalization KIF's (default) or O-LoRA's
 * @param task363Quirk  AIM's {@code eval_avgPerf_superni.py}: for task363, the (lower-cased) predictions "pos"
 *                      and "neg" become "p" and "n", because the authors' task363 data uses the labels P/N
 *                      (spec §1.4). Only meaningful with that data; off by default
 */
public record ScoringOptions(AnswerNormalization normalization, boolean task363Quirk) {

    public static ScoringOptions kif() {
        return new ScoringOptions(AnswerNormalization.KIF, false);
    }

    /** The metric called {@code name} ("accuracy" or "rougeL", case-insensitive) with these options. */
    public Metric metric(String name) {
        if (Accuracy.NAME.equalsIgnoreCase(name)) {
            return new Accuracy(normalization);
        }
        if (RougeL.NAME.equalsIgnoreCase(name)) {
            return new RougeL(normalization, true);
        }
        throw new IllegalArgumentException("unknown metric \"" + name + "\" (known: accuracy, rougeL)");
    }

    /** The prediction as scored for {@code task}: unchanged unless the task363 quirk applies. */
    public String adjustPrediction(String task, String prediction) {
        if (!task363Quirk || task == null || !(task.equals("task363") || task.startsWith("task363_"))) {
            return prediction;
        }
        String p = AnswerNormalization.KIF.apply(prediction);
        return p.equals("pos") ? "p" : p.equals("neg") ? "n" : prediction;
    }
}
