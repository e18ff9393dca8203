package io.kif4j.tokenizer;

import io.kif4j.common.testing.FuzzFiles;
import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Named cases of the tokenizer fuzz corpus: the hand-made files in TokenizersFuzzTestInputs, unpacked into a model
 * folder as the fuzz test does, each loading or failing with one line naming the file and the field.
 */
class HostileTokenizerFilesTest {

    @TempDir
    Path tmp;

    /**
     * Unpacks seed {@code name} (kind byte, tokenizer_config.json, special_tokens_map.json, tokenizer file) into a
     * folder of its own.
     */
    Path seed(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        byte[] data;
        try (InputStream in = getClass().getResourceAsStream("TokenizersFuzzTestInputs/tokenizerFolder/" + name)) {
            data = in.readAllBytes();
        }
        byte[][] parts = FuzzFiles.split(data, 4);
        if (parts[1].length > 0) {
            Files.write(dir.resolve("tokenizer_config.json"), parts[1]);
        }
        if (parts[2].length > 0) {
            Files.write(dir.resolve("special_tokens_map.json"), parts[2]);
        }
        String file = TokenizersFuzzTest.NAMES[(parts[0][0] & 0xFF) % TokenizersFuzzTest.NAMES.length];
        Files.write(dir.resolve(file), parts[3]);
        return dir;
    }

    KifInputException assertRejected(Path dir, String file, String... fragments) {
        KifInputException e = assertThrows(KifInputException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve(file).toString()), "names " + file + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void handMadeSeedsLoadAndRoundTrip() throws IOException {
        for (String name : new String[] {"spiece_unigram", "llama_bpe_bytes", "tokenizer_json"}) {
            Tokenizer t = Tokenizers.load(seed(name));
            assertEquals("Hello world", t.decode(t.encode("Hello world")).strip(), name);
        }
    }

    @Test
    void negativeExtraIdsAreRefusedBeforeSizingTheVocabulary() throws IOException {
        // extra_ids -5 shrank the id table below the model's pieces: ArrayIndexOutOfBounds.
        assertRejected(seed("bad_extra_ids"), "tokenizer_config.json", "extra_ids -5", "outside [0, 10000]");
    }

    @Test
    void hugeExtraIdsAreRefused() throws IOException {
        Path dir = seed("spiece_unigram");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"extra_ids\":2000000000}");
        assertRejected(dir, "tokenizer_config.json", "extra_ids 2000000000");
    }

    @Test
    void addedTokenIdBeyondTheVocabularyIsRefusedBeforeAllocating() throws IOException {
        // id 2^31-1: size overflowed to a negative number and the table was indexed out of bounds.
        assertRejected(seed("huge_added_id"), "tokenizer.json", "added token 'x'", "id 2147483647");
    }

    /**
     * A tokenizer.json saved as tokenizer.model, a SentencePiece model saved as tokenizer.json, a truncated model,
     * a malformed config beside the model.
     */
    @ParameterizedTest(name = "{0}: {1}, {2}")
    @CsvSource({
            "json_as_model, tokenizer.model, looks like JSON",
            "model_as_json, tokenizer.json, not valid JSON",
            "truncated_model, spiece.model, malformed protobuf",
            "config_not_json, tokenizer_config.json, not valid JSON"})
    void fileInTheWrongFormat(String seed, String file, String fragment) throws IOException {
        assertRejected(seed(seed), file, fragment);
    }

    @Test
    void specialTokenOfTheWrongType() throws IOException {
        Path dir = seed("spiece_unigram");
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"eos_token\": 7}", StandardCharsets.UTF_8);
        assertRejected(dir, "special_tokens_map.json", "eos_token");
    }
}
