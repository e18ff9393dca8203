package io.kif4j.datasets.batch;

import java.util.List;

/**
 * A padded batch as plain arrays, rows = examples.
 *
 * <p>T5: {@code inputIds}/{@code attentionMask} right-padded with 0; {@code labels} padded with -100;
 * {@code decoderInputIds} = labels shifted right with decoder start 0 and -100 replaced by 0.
 * <p>LLaMA: {@code inputIds} right-padded with the pad id; {@code labels} = ids with -100 on padding and on
 * BOS + prompt; no decoder inputs (null). The model shifts internally: logits at t predict labels at t+1.
 *
 * @param family          which layout
 * @param tasks           task name per row
 * @param ids             example id per row
 * @param inputIds        [batch][sourceLen]
 * @param attentionMask   [batch][sourceLen], 1 on tokens, 0 on padding
 * @param labels          T5 [batch][targetLen]; LLaMA [batch][sourceLen]
 * @param decoderInputIds T5 [batch][targetLen]; LLaMA null
 */
public record TokenizedBatch(ModelFamily family, List<String> tasks, List<String> ids, int[][] inputIds,
                             int[][] attentionMask, int[][] labels, int[][] decoderInputIds) {

    /** The ignore index of cross-entropy (PyTorch's default). */
    public static final int IGNORE = -100;

    public int size() {
        return inputIds.length;
    }
}
