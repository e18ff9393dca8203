package io.kif4j.datasets.prompt;

/** What to cut when a prompt has more tokens than the source length allows. */
public enum TruncationMode {
    /** Cut tokens at the end, as HF tokenizers do with {@code truncation=True} (the papers' behaviour). */
    RIGHT,
    /** Cut the end of the example's input, keeping the template text before and after it. */
    INPUT
}
