package io.kif4j.tokenizer;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link SentencePieceTokenizer} and {@link HfJsonTokenizer} share around their own tokenization and
 * decoding: {@link #encode} and {@link #pieces} read from one {@link #tokenize} result, so there is one piece per
 * id as {@link Tokenizer#pieces} promises; the special ids come from the resolved {@link SpecialTokens}.
 */
abstract class AbstractTokenizer implements Tokenizer {

    /** A piece of the encoded text and its id. */
    record Token(String piece, int id) {
    }

    /** The text as pieces with their ids, no special token added. */
    abstract List<Token> tokenize(String text);

    abstract SpecialTokens special();

    @Override
    public int[] encode(String text) {
        return tokenize(text).stream().mapToInt(Token::id).toArray();
    }

    @Override
    public List<String> pieces(String text) {
        return tokenize(text).stream().map(Token::piece).toList();
    }

    @Override
    public String decode(int[] ids) {
        return decode(ids, true);
    }

    @Override
    public abstract String decode(int[] ids, boolean skipSpecialTokens);

    @Override
    public int bosId() {
        return special().bos();
    }

    @Override
    public int eosId() {
        return special().eos();
    }

    @Override
    public int padId() {
        return special().pad();
    }

    @Override
    public int unkId() {
        return special().unk();
    }

    /** Refuses an id {@code decode} cannot look up: ids come from callers, not from this tokenizer. */
    static void checkDecodeId(int id, int vocabSize, Path file) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
                    + vocabSize + ") of " + file);
        }
    }
}
