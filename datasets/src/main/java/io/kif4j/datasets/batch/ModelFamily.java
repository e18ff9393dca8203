package io.kif4j.datasets.batch;

import io.kif4j.datasets.prompt.PromptTemplates;

/** The two model families, which batch differently. */
public enum ModelFamily {
    /** Encoder-decoder: source ids for the encoder, target ids as labels, decoder inputs shifted right. */
    T5(PromptTemplates.KIF),
    /** Decoder-only: BOS + prompt + target in one sequence, loss on the target only. */
    LLAMA(PromptTemplates.ALPACA);

    private final String defaultTemplate;

    ModelFamily(String defaultTemplate) {
        this.defaultTemplate = defaultTemplate;
    }

    /** The prompt template the papers use for this family. */
    public String defaultTemplate() {
        return defaultTemplate;
    }
}
