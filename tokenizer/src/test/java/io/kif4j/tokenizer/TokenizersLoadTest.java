package io.kif4j.tokenizer;

import io.kif4j.common.KifInputException;
import io.kif4j.common.testing.InputErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Picking the implementation, reading the HF configs, and clean errors for files of the wrong kind. */
class TokenizersLoadTest {

    @TempDir
    Path tmp;

    private static Path shared(String relative) {
        return SharedData.file(relative);
    }

    private static KifInputException assertRejected(Path file, String... fragments) {
        KifInputException e = assertThrows(KifInputException.class, () -> Tokenizers.load(file));
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "mentions '" + f + "': " + e.getMessage());
        }
        return e;
    }

    // ---------------------------------------------------------------- choosing

    @Test
    void directoryPrefersSentencePieceOverTokenizerJson() {
        Path dir = shared("tokenizers/t5/spiece.model").getParent();
        assertTrue(Files.exists(dir.resolve("tokenizer.json")));
        assertInstanceOf(SentencePieceTokenizer.class, Tokenizers.load(dir));
        assertInstanceOf(SentencePieceTokenizer.class, Tokenizers.load(shared("weights/stories260K-hf/tokenizer.model").getParent()));
    }

    @Test
    void directoryWhoseTokenizerModelIsNotSentencePieceUsesTokenizerJson() throws IOException {
        // Llama 3 folders may hold a tiktoken file named tokenizer.model beside tokenizer.json.
        Files.writeString(tmp.resolve("tokenizer.model"), "IQ== 0\nIg== 1\n");
        Files.copy(shared("tokenizers/bpe/llama3/tokenizer.json"), tmp.resolve("tokenizer.json"));
        try (Tokenizer t = Tokenizers.load(tmp)) {
            assertInstanceOf(DjlTokenizer.class, t);
            assertArrayEquals(new int[] {9906, 1917}, t.encode("Hello world"));
        }
        Files.delete(tmp.resolve("tokenizer.json"));
        assertRejected(tmp.resolve("tokenizer.model"));
    }

    @Test
    void directoryWithOnlyTokenizerJsonUsesIt() throws IOException {
        Files.copy(shared("tokenizers/t5/tokenizer.json"), tmp.resolve("tokenizer.json"));
        Tokenizer t = Tokenizers.load(tmp);
        assertInstanceOf(HfJsonTokenizer.class, t);
        // No config: ids come from the file itself, EOS from its post_processor template.
        assertEquals(1, t.eosId());
        assertEquals(0, t.padId());
        assertEquals(2, t.unkId());
        assertArrayEquals(new int[] {8774, 296, 1}, t.encodeForModel("Hello world"));
    }

    @Test
    void spieceWithoutConfigGetsT5Sentinels() throws IOException {
        Files.copy(shared("tokenizers/t5/spiece.model"), tmp.resolve("spiece.model"));
        Tokenizer t = Tokenizers.load(tmp.resolve("spiece.model"));
        assertEquals(32100, t.vocabSize());
        assertArrayEquals(new int[] {8774, 296, 1}, t.encodeForModel("Hello world"));
    }

    @Test
    void otherModelNameWithoutConfigHasNoSentinels() throws IOException {
        Files.copy(shared("tokenizers/t5/spiece.model"), tmp.resolve("t5.model"));
        assertEquals(32000, Tokenizers.load(tmp.resolve("t5.model")).vocabSize());
    }

    @Test
    void configOverridesSpecialIdsAndFlags() throws IOException {
        Files.copy(shared("tokenizers/llama2/tokenizer.model"), tmp.resolve("tokenizer.model"));
        Files.writeString(tmp.resolve("tokenizer_config.json"), """
                {"bos_token": "<s>", "eos_token": {"content": "</s>"}, "pad_token": "</s>",
                 "add_bos_token": false, "add_eos_token": true}""");
        Tokenizer t = Tokenizers.load(tmp);
        assertEquals(2, t.padId());
        assertArrayEquals(new int[] {15043, 3186, 2}, t.encodeForModel("Hello world"));
        assertEquals("Hello world", t.decode(new int[] {15043, 3186, 2, 2}));
    }

    @Test
    void specialTokensMapNullRemovesAToken() throws IOException {
        Files.copy(shared("tokenizers/llama2/tokenizer.model"), tmp.resolve("tokenizer.model"));
        Files.writeString(tmp.resolve("special_tokens_map.json"), "{\"bos_token\": null}");
        Tokenizer t = Tokenizers.load(tmp);
        assertEquals(-1, t.bosId());
        assertArrayEquals(new int[] {15043, 3186}, t.encodeForModel("Hello world"));
    }

    @Test
    void configNamingAnUnknownTokenIsRejected() throws IOException {
        Files.copy(shared("tokenizers/llama2/tokenizer.model"), tmp.resolve("tokenizer.model"));
        Path config = Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"pad_token\": \"<nope>\"}");
        InputErrors.assertRejected(() -> Tokenizers.load(tmp), config, "<nope>");
    }

    @Test
    void malformedConfigIsRejectedByName() throws IOException {
        Files.copy(shared("tokenizers/llama2/tokenizer.model"), tmp.resolve("tokenizer.model"));
        Path config = Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"pad_token\": ");
        InputErrors.assertRejected(() -> Tokenizers.load(tmp), config);
    }

    // ---------------------------------------------------------------- wrong files

    @Test
    void jsonPassedAsModel() throws IOException {
        Path f = Files.copy(shared("tokenizers/t5/tokenizer_config.json"), tmp.resolve("tokenizer.model"));
        assertRejected(f, "JSON");
    }

    @Test
    void zeroLengthModel() throws IOException {
        assertRejected(Files.createFile(tmp.resolve("spiece.model")), "empty");
    }

    @Test
    void zeroLengthTokenizerJson() throws IOException {
        assertRejected(Files.createFile(tmp.resolve("tokenizer.json")), "empty");
    }

    @Test
    void randomBytesAsModel() throws IOException {
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        junk[0] = 0x0A; // a plausible first tag, so parsing gets past the first byte
        assertRejected(Files.write(tmp.resolve("tokenizer.model"), junk), "not a SentencePiece model");
    }

    @Test
    void randomBytesAsTokenizerJson() throws IOException {
        byte[] junk = new byte[4096];
        new Random(8).nextBytes(junk);
        assertRejected(Files.write(tmp.resolve("tokenizer.json"), junk), "JSON");
    }

    @Test
    void modelFilePassedAsTokenizerJson() throws IOException {
        Path f = Files.copy(shared("tokenizers/llama2/tokenizer.model"), tmp.resolve("tokenizer.json"));
        assertRejected(f, "JSON");
    }

    @Test
    void truncatedModelInsideAField() throws IOException {
        byte[] model = Files.readAllBytes(shared("tokenizers/llama2/tokenizer.model"));
        // Byte 3 is inside the first piece's text: the length prefix runs past the end.
        assertRejected(Files.write(tmp.resolve("tokenizer.model"), Arrays.copyOf(model, 3)), "malformed protobuf");
    }

    @Test
    void anyPrefixOrCorruptionOfARealModelFailsCleanly() throws IOException {
        // Protobuf has no checksum: a cut at a field boundary still parses. What must never happen is any error
        // other than KifInputException, here or while using the result.
        byte[] model = Files.readAllBytes(shared("weights/stories260K-hf/tokenizer.model"));
        Random random = new Random(42);
        int rejected = 0;
        for (int trial = 0; trial < 300; trial++) {
            byte[] bad = trial % 2 == 0 ? Arrays.copyOf(model, random.nextInt(model.length)) : model.clone();
            if (trial % 2 == 1) {
                for (int k = 0; k < 3; k++) {
                    bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                }
            }
            Path f = Files.write(tmp.resolve("tokenizer.model"), bad);
            if (rejectedCleanly(f, "Once upon a time, 🚀 there was a girl.", trial)) {
                rejected++;
            }
        }
        assertTrue(rejected > 100, "most corruptions are detected, got " + rejected);
    }

    @Test
    void corruptCharsmapFailsCleanly() throws IOException {
        // The T5 model ends with its 237 kB precompiled_charsmap; corrupt bytes there and normalize varied text.
        byte[] model = Files.readAllBytes(shared("tokenizers/t5/spiece.model"));
        Random random = new Random(3);
        for (int trial = 0; trial < 40; trial++) {
            byte[] bad = model.clone();
            for (int k = 0; k < 50; k++) {
                bad[bad.length - 1 - random.nextInt(237_000)] = (byte) random.nextInt(256);
            }
            Path f = Files.write(tmp.resolve("spiece.model"), bad);
            rejectedCleanly(f, "Café ＡＢＣ ﬁ ½ ™ Привет 你好 \u200b e\u0301 \t\n x", trial);
        }
    }

    @Test
    void bpeTokenizerJsonRunsOnTheHfLibrary() throws IOException {
        Path f = Files.writeString(tmp.resolve("tokenizer.json"), """
                {"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": null,
                 "post_processor": null, "decoder": null,
                 "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}}""");
        try (Tokenizer t = Tokenizers.load(f)) {
            assertInstanceOf(DjlTokenizer.class, t);
            assertArrayEquals(new int[] {2, 0}, t.encode("aba"));
            assertEquals(3, t.vocabSize());
        }
    }

    @Test
    void unigramWithAComponentThePortLacksRunsOnTheHfLibrary() throws IOException {
        Path f = Files.writeString(tmp.resolve("tokenizer.json"), """
                {"added_tokens": [], "normalizer": {"type": "Lowercase"}, "pre_tokenizer": null,
                 "post_processor": null, "decoder": null,
                 "model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["a", -1.0], ["b", -2.0]]}}""");
        try (Tokenizer t = Tokenizers.load(f)) {
            assertInstanceOf(DjlTokenizer.class, t);
            assertArrayEquals(new int[] {1, 2, 0}, t.encode("ABc"));
            assertEquals(0, t.unkId());
        }
    }

    @Test
    void aTextTheFileCannotEncodeIsAnInputErrorNamingIt() throws IOException {
        // WordLevel whose unk_token is not in its vocabulary: the library fails on an unknown word.
        Path f = Files.writeString(tmp.resolve("tokenizer.json"), """
                {"added_tokens": [], "pre_tokenizer": {"type": "WhitespaceSplit"},
                 "model": {"type": "WordLevel", "vocab": {"a": 0, "b": 1}, "unk_token": "<unk>"}}""");
        try (Tokenizer t = Tokenizers.load(f)) {
            assertArrayEquals(new int[] {0, 1}, t.encode("a b"));
            KifInputException e = assertThrows(KifInputException.class, () -> t.encode("a zzz"));
            assertTrue(e.getMessage().startsWith(f + ": the HF tokenizers library cannot encode the text"), e.getMessage());
        }
    }

    @Test
    void modelTypeTheLibraryDoesNotKnow() throws IOException {
        Path f = Files.writeString(tmp.resolve("tokenizer.json"), """
                {"added_tokens": [], "model": {"type": "Telepathy", "vocab": {"a": 0}}}""");
        assertRejected(f, "the HF tokenizers library cannot read it");
    }

    @Test
    void jsonWithoutModel() throws IOException {
        Path f = Files.copy(shared("tokenizers/t5/special_tokens_map.json"), tmp.resolve("tokenizer.json"));
        assertRejected(f, "no \"model\"");
    }

    @Test
    void missingFile() {
        assertRejected(tmp.resolve("tokenizer.model"), "not found");
    }

    @Test
    void directoryWithoutTokenizer() {
        assertRejected(tmp, "no tokenizer.model, spiece.model or tokenizer.json");
    }

    @Test
    void unknownFileKind() {
        assertRejected(shared("weights/stories260K-hf/tok512.bin"), "unknown tokenizer file kind");
    }

    @Test
    void bpeModelWithoutByteFallbackPiecesIsRejected() throws IOException {
        // Flip trainer_spec.byte_fallback (field 35, tag bytes 0x98 0x02) off in the stories260K model: its 256
        // byte pieces are then invalid, as SentencePiece itself reports.
        byte[] model = Files.readAllBytes(shared("weights/stories260K-hf/tokenizer.model"));
        int at = indexOf(model, new byte[] {(byte) 0x98, 0x02, 0x01});
        assertTrue(at > 0, "byte_fallback field found");
        model[at + 2] = 0;
        assertRejected(Files.write(tmp.resolve("tokenizer.model"), model), "byte piece");
    }

    private static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = data.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Loads the corrupted {@code f} and round-trips {@code text}: true when it is refused with an input error that
     * names the file, false when it works; any other exception fails the test.
     */
    private static boolean rejectedCleanly(Path f, String text, int trial) {
        try {
            Tokenizer t = Tokenizers.load(f);
            t.decode(t.encodeForModel(text));
            return false;
        } catch (KifInputException e) {
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            return true;
        } catch (RuntimeException e) {
            fail("trial " + trial + ": " + e, e);
            return false;
        }
    }
}
