package io.kif4j.transformer;

/**
 * One batch as HF models take it; all arrays are [B][T].
 *
 * @param inputIds        LLaMA: the sequence; T5: the encoder input
 * @param attentionMask   1 for real tokens, 0 for padding (of inputIds)
 * @param labels          targets with -100 where no loss is taken, or null. LLaMA labels are unshifted
 *                        (HF shifts internally); T5 labels are the decoder targets
 * @param decoderInputIds T5 only: shift-right of labels with the decoder start id; null derives it from labels
 * @param positionIds     LLaMA only; null means 0..T-1 for every row
 */
public record ModelInputs(int[][] inputIds, int[][] attentionMask, int[][] labels, int[][] decoderInputIds,
                          int[][] positionIds) {

    public int batchSize() {
        return inputIds.length;
    }

    public int length() {
        return inputIds[0].length;
    }

    /** The same batch without labels: a forward pass that computes no loss. */
    public ModelInputs withoutLabels() {
        return labels == null ? this : new ModelInputs(inputIds, attentionMask, null, decoderInputIds, positionIds);
    }

    /** A batch without labels, all tokens real. */
    public static ModelInputs of(int[][] inputIds) {
        int[][] mask = new int[inputIds.length][];
        for (int i = 0; i < inputIds.length; i++) {
            mask[i] = new int[inputIds[i].length];
            java.util.Arrays.fill(mask[i], 1);
        }
        return new ModelInputs(inputIds, mask, null, null, null);
    }
}
