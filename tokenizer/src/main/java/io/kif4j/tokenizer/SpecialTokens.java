package io.kif4j.tokenizer;

/**
 * The special ids of a loaded tokenizer and what {@link Tokenizer#encodeForModel} adds around the text.
 * An id of -1 means the tokenizer has no such token.
 */
record SpecialTokens(int bos, int eos, int pad, int unk, boolean addBos, boolean addEos) {

    int[] wrap(int[] ids) {
        boolean bos = addBos && this.bos >= 0;
        boolean eos = addEos && this.eos >= 0;
        int[] out = new int[ids.length + (bos ? 1 : 0) + (eos ? 1 : 0)];
        if (bos) {
            out[0] = this.bos;
        }
        System.arraycopy(ids, 0, out, bos ? 1 : 0, ids.length);
        if (eos) {
            out[out.length - 1] = this.eos;
        }
        return out;
    }
}
