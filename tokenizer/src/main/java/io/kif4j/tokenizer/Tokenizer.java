package io.kif4j.tokenizer;

import java.util.List;

/**
 * Text to token ids and back, shared by the model families.
 *
 * <p>{@link #encode(String)} returns the ids of the text alone, as SentencePiece does: no BOS and no EOS.
 * The model-specific conventions (LLaMA prepends BOS, T5 appends EOS) are {@link #encodeForModel(String)}.
 */
public interface Tokenizer extends AutoCloseable {

    /** The ids of {@code text}, without any special token added. */
    int[] encode(String text);

    /** The pieces (surface strings such as "▁Hello") of {@code text}, one per id of {@link #encode}. */
    List<String> pieces(String text);

    /** HF's convention for the model family: BOS first for LLaMA, EOS last for T5. */
    int[] encodeForModel(String text);

    /** Text of {@code ids}, skipping special tokens (pad, bos, eos). */
    String decode(int[] ids);

    /**
     * Text of {@code ids}; with {@code skipSpecialTokens} false the special tokens are kept as their text
     * ("&lt;|endoftext|&gt;"), as transformers' {@code tokenizer.decode(ids)} does by default. No clean-up of spaces.
     * The default suits a tokenizer without special tokens.
     */
    default String decode(int[] ids, boolean skipSpecialTokens) {
        return decode(ids);
    }

    int vocabSize();

    /** -1 when the tokenizer has none. */
    int bosId();

    int eosId();

    /** -1 when the tokenizer has none (LLaMA-2; HF then pads with EOS). */
    int padId();

    int unkId();

    @Override
    default void close() {
    }
}
