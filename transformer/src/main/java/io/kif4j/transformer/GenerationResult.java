package io.kif4j.transformer;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Greedy decoding output in HF's form.
 *
 * @param sequences  LLaMA: the (left-padded) prompt followed by the new tokens; T5: the decoder start id followed
 *                   by the new tokens. With stopping on, a row that produced EOS is filled with pad after it, and
 *                   decoding ends early when every row has stopped.
 * @param newTokens  only the generated part of each row
 * @param stepLogits the logits of each step, [B, V] each
 */
public record GenerationResult(int[][] sequences, int[][] newTokens, List<INDArray> stepLogits) {
}
