package io.kif4j.tokenizer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Special ids, sentinels, what encodeForModel adds and what decode skips. */
class SpecialTokensTest {

    private static final String TRANSLATE = "translate English to German: The house is wonderful.";
    private static final int[] TRANSLATE_FOR_MODEL = {13959, 1566, 12, 2968, 10, 37, 629, 19, 1627, 5, 1};

    private static SentencePieceTokenizer t5;
    private static Tokenizer t5Tiny;
    private static HfJsonTokenizer t5Json;
    private static Tokenizer llama;
    private static Tokenizer stories;

    @BeforeAll
    static void load() {
        t5 = (SentencePieceTokenizer) Tokenizers.load(SharedData.file("tokenizers/t5/spiece.model"));
        t5Tiny = Tokenizers.load(SharedData.dir().resolve("weights/kif-t5-tiny"));
        t5Json = (HfJsonTokenizer) Tokenizers.load(SharedData.file("tokenizers/t5/tokenizer.json"));
        llama = Tokenizers.load(SharedData.file("tokenizers/llama2/tokenizer.model"));
        stories = Tokenizers.load(SharedData.dir().resolve("weights/stories260K-hf"));
    }

    @Test
    void t5TranslateExampleForModel() {
        assertArrayEquals(TRANSLATE_FOR_MODEL, t5.encodeForModel(TRANSLATE));
        assertArrayEquals(TRANSLATE_FOR_MODEL, t5Tiny.encodeForModel(TRANSLATE));
        assertArrayEquals(TRANSLATE_FOR_MODEL, t5Json.encodeForModel(TRANSLATE));
    }

    @Test
    void decodeKeepsSpecialTokensAsTextWhenAsked() {
        // As HF's fast tokenizers decode with skip_special_tokens=False.
        assertEquals("<s> Hello", llama.decode(new int[] {1, 15043}, false));
        assertEquals("Hello", llama.decode(new int[] {1, 15043}));
        for (Tokenizer t : List.of(t5, t5Json)) {
            assertEquals("Hello world</s>", t.decode(t.encodeForModel("Hello world"), false), t.toString());
        }
    }

    @Test
    void t5SpecialIds() {
        for (Tokenizer t : List.of(t5, t5Tiny, t5Json)) {
            assertEquals(32100, t.vocabSize(), t.toString());
            assertEquals(0, t.padId(), t.toString());
            assertEquals(1, t.eosId(), t.toString());
            assertEquals(2, t.unkId(), t.toString());
            assertEquals(-1, t.bosId(), t.toString());
        }
    }

    @Test
    void t5SentinelsAreTheTop100Ids() {
        assertEquals(32099, t5.pieceToId("<extra_id_0>"));
        assertEquals(32000, t5.pieceToId("<extra_id_99>"));
        assertEquals("<extra_id_0>", t5.idToPiece(32099));
        assertEquals("<extra_id_42>", t5.idToPiece(32099 - 42));
        assertEquals("▁Hello", t5.idToPiece(8774));
        assertArrayEquals(new int[] {32099}, t5Json.encode("<extra_id_0>"));
        assertArrayEquals(new int[] {32000}, t5Json.encode("<extra_id_99>"));
    }

    @Test
    void t5DecodeSkipsPadEosAndSentinels() {
        int[] ids = {0, 32099, 8774, 6, 32098, 296, 55, 1, 0, 0};
        assertEquals("Hello, world!", t5.decode(ids));
        assertEquals("Hello, world!", t5Json.decode(ids));
        assertEquals(TRANSLATE, t5.decode(TRANSLATE_FOR_MODEL));
        assertEquals(TRANSLATE, t5Json.decode(TRANSLATE_FOR_MODEL));
    }

    @Test
    void t5UnknownDecodes() {
        // SentencePiece shows <unk> as its surface " ⁇ "; HF's skip_special_tokens drops it (it is special there).
        assertEquals("a ⁇ b", t5.decode(new int[] {9, 2, 115}));
        assertEquals("ab", t5Json.decode(new int[] {9, 2, 115}));
    }

    @Test
    void literalSpecialTokenTextOnlyCountsInTokenizerJson() {
        // The documented difference between the two T5 references (line 40).
        assertArrayEquals(new int[] {8774, 1}, t5Json.encode("Hello</s>"));
        assertEquals(List.of("▁Hello", "</s>"), t5Json.pieces("Hello</s>"));
        assertEquals(List.of("▁Hello", "<", "/", "s", ">"), t5.pieces("Hello</s>"));
    }

    @Test
    void llamaSpecialIds() {
        for (Tokenizer t : List.of(llama, stories)) {
            assertEquals(1, t.bosId(), t.toString());
            assertEquals(2, t.eosId(), t.toString());
            assertEquals(0, t.unkId(), t.toString());
            assertEquals(-1, t.padId(), t.toString());
        }
        assertEquals(32000, llama.vocabSize());
        assertEquals(512, stories.vocabSize());
    }

    @Test
    void llamaEncodeForModelPrependsBosOnly() {
        assertArrayEquals(new int[] {1}, llama.encodeForModel(""));
        assertArrayEquals(new int[] {1, 15043, 3186}, llama.encodeForModel("Hello world"));
        assertArrayEquals(new int[] {15043, 3186}, llama.encode("Hello world"));
    }

    @Test
    void llamaDecodeSkipsBosAndEos() {
        assertEquals("Hello world", llama.decode(new int[] {1, 15043, 3186, 2}));
        assertEquals("Hello world", llama.decode(new int[] {15043, 2, 3186}));
    }

    @Test
    void byteFallbackDecodesSplitCharactersLikeSentencePiece() {
        // 🚀 is F0 9F 9A 80 = byte pieces 243 162 157 131 (id = byte + 3).
        assertEquals("🚀", llama.decode(new int[] {243, 162, 157, 131}));
        // A truncated sequence gives one U+FFFD per byte, as SentencePiece does.
        assertEquals("\uFFFD\uFFFD", llama.decode(new int[] {243, 162}));
        assertEquals("\uFFFDa", llama.decode(new int[] {243, 100}));
    }

    @Test
    void idsOutsideTheVocabularyAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> t5.decode(new int[] {32100}));
        assertThrows(IllegalArgumentException.class, () -> t5Json.decode(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> llama.decode(new int[] {32000}));
    }

    @Test
    void hfPrecompiledNormalizesWholeShortGraphemesByTheirShortestRule() {
        // From tokenizers' Precompiled::normalize: a grapheme under 6 bytes whose first character has a rule is
        // replaced as a whole by that rule ("ﬁ" -> "fi" drops the combining accent); SentencePiece's normalizer
        // maps character by character and keeps it.
        CharsMap map = CharsMap.parse(t5CharsMap(), SharedData.file("tokenizers/t5/spiece.model"));
        String normalized = HfJsonTokenizer.precompiled(map, "ﬁ\u0301 ＡＢ");
        assertEquals("fi AB", normalized);
        assertEquals("▁fi\u0301", t5.normalize("ﬁ\u0301"));
    }

    private static byte[] t5CharsMap() {
        byte[] data;
        try {
            data = java.nio.file.Files.readAllBytes(SharedData.file("tokenizers/t5/spiece.model"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return SentencePieceModelProto.parse(SharedData.file("tokenizers/t5/spiece.model"), data).precompiledCharsmap();
    }
}
