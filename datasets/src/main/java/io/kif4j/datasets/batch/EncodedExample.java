package io.kif4j.datasets.batch;

/**
 * One tokenized example, before padding.
 *
 * @param task            task name
 * @param id              example id
 * @param inputIds        T5: source ids ending in EOS. LLaMA: BOS + prompt + target (+ EOS)
 * @param labels          T5: target ids ending in EOS. LLaMA: {@code inputIds} with -100 on BOS and prompt
 * @param promptLength    tokens of the prompt part (T5: the whole source; LLaMA: BOS + prompt)
 * @param sourceTruncated the prompt was cut to fit the source length
 * @param targetTruncated the target was cut to fit the target length
 */
public record EncodedExample(String task, String id, int[] inputIds, int[] labels, int promptLength,
                             boolean sourceTruncated, boolean targetTruncated) {

    /** Tokens this example occupies in a batch, for length bucketing. */
    public int length() {
        return inputIds.length + (labels.length == inputIds.length ? 0 : labels.length);
    }
}
