package io.kif4j.transformer;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * @param logits [B, T, V] (T5: decoder positions)
 * @param loss   mean cross-entropy over labels != -100, or NaN when the batch had no labels
 */
public record ScoreResult(INDArray logits, double loss) {
}
