package io.kif4j.transformer.family;

/** How a family's examples become model inputs. */
public enum Batching {
    /** Encoder-decoder: source ids for the encoder, target ids as labels, decoder inputs shifted right (T5). */
    SEQ2SEQ,
    /** Decoder-only: BOS + prompt + target in one sequence, prompts left-padded for generation (LLaMA and kin). */
    CAUSAL
}
