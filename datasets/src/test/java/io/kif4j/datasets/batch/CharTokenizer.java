package io.kif4j.datasets.batch;

import io.kif4j.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A test tokenizer: one token per character, id = char + 10, so ids are predictable and joint tokenization
 * equals concatenation. Ids below 10 are special.
 */
final class CharTokenizer implements Tokenizer {

    private final int bos;
    private final int eos;
    private final int pad;

    CharTokenizer(int bos, int eos, int pad) {
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
    }

    /** T5-like: pad 0, eos 1, no bos. */
    static CharTokenizer t5() {
        return new CharTokenizer(-1, 1, 0);
    }

    /** LLaMA-2-like: bos 1, eos 2, no pad. */
    static CharTokenizer llama() {
        return new CharTokenizer(1, 2, -1);
    }

    static int id(char c) {
        return c + 10;
    }

    static int[] ids(String s) {
        return s.chars().map(c -> c + 10).toArray();
    }

    @Override
    public int[] encode(String text) {
        return ids(text);
    }

    @Override
    public List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        text.chars().forEach(c -> out.add(String.valueOf((char) c)));
        return out;
    }

    @Override
    public int[] encodeForModel(String text) {
        throw new UnsupportedOperationException("the batcher adds special tokens itself");
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id >= 10) {
                sb.append((char) (id - 10));
            }
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return 65536 + 10;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public int unkId() {
        return 3;
    }
}
