package io.kif4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.kif4j.tokenizer.SharedData.ints;
import static io.kif4j.tokenizer.SharedData.strings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every line of every {@code shared/tokenizers/bpe/<family>/reference.jsonl} (families found by listing the
 * folder): ids without and with special tokens, token strings, and the decode of the ids with special tokens kept.
 */
class BpeReferenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Path, Tokenizer> LOADED = new HashMap<>();

    /** The family folders holding a reference.jsonl, sorted. */
    static List<Path> families() {
        Path root = SharedData.dir().resolve("tokenizers/bpe");
        try (Stream<Path> s = Files.list(root)) {
            List<Path> dirs = s.filter(d -> Files.isRegularFile(d.resolve("reference.jsonl"))).sorted().toList();
            assertFalse(dirs.isEmpty(), "no reference.jsonl under " + root);
            return dirs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reference lines of {@code family}, blank lines skipped. */
    static List<JsonNode> lines(Path family) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(family.resolve("reference.jsonl"))) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> referenceLines() {
        return families().stream().flatMap(f -> {
            List<JsonNode> lines = lines(f);
            return java.util.stream.IntStream.range(0, lines.size())
                    .mapToObj(i -> Arguments.of(f.getFileName().toString(), i + 1, lines.get(i)));
        });
    }

    private static synchronized Tokenizer tokenizer(String family) {
        return LOADED.computeIfAbsent(SharedData.dir().resolve("tokenizers/bpe").resolve(family), Tokenizers::load);
    }

    @AfterAll
    static void close() {
        LOADED.values().forEach(Tokenizer::close);
    }

    @ParameterizedTest(name = "{0} line {1}")
    @MethodSource("referenceLines")
    void line(String family, int lineNumber, JsonNode line) {
        Tokenizer t = tokenizer(family);
        String text = line.get("text").textValue();
        int[] ids = ints(line.get("ids"));
        assertArrayEquals(ids, t.encode(text), "ids");
        assertArrayEquals(ints(line.get("ids_with_special")), t.encodeForModel(text), "ids_with_special");
        assertEquals(strings(line.get("tokens")), t.pieces(text), "tokens");
        assertEquals(line.get("decoded").textValue(), t.decode(ids, false), "decoded");
    }

    @Test
    void everyFamilyRunsOnTheHfLibrary() {
        for (Path f : families()) {
            assertInstanceOf(DjlTokenizer.class, tokenizer(f.getFileName().toString()), f.toString());
        }
    }

    @Test
    void specialIdsFollowTheConfigs() {
        Tokenizer qwen = tokenizer("qwen2"); // bos_token null, eos <|im_end|>, pad <|endoftext|>
        assertEquals(List.of(-1, 151645, 151643, -1),
                List.of(qwen.bosId(), qwen.eosId(), qwen.padId(), qwen.unkId()));
        assertEquals(151646, qwen.vocabSize());
        Tokenizer smol = tokenizer("smollm"); // all <|endoftext|> = 0, no pad
        assertEquals(List.of(0, 0, -1, 0), List.of(smol.bosId(), smol.eosId(), smol.padId(), smol.unkId()));
        Tokenizer llama3 = tokenizer("llama3"); // no config: BOS is what the post-processor prepends
        assertEquals(128000, llama3.bosId());
        assertEquals(128256, llama3.vocabSize());
    }

    @Test
    void decodeSkipsSpecialTokensUnlessAskedToKeepThem() {
        Tokenizer gpt2 = tokenizer("gpt2");
        int[] ids = gpt2.encode("Hello<|endoftext|>World");
        assertEquals("HelloWorld", gpt2.decode(ids));
        assertEquals("Hello<|endoftext|>World", gpt2.decode(ids, false));
        assertThrows(IllegalArgumentException.class, () -> gpt2.decode(new int[] {gpt2.vocabSize()}));
    }

    @Test
    void nulsAndTrailingNewlinesRoundTrip() {
        for (Path f : families()) {
            Tokenizer t = tokenizer(f.getFileName().toString());
            String text = "a\u0000b\u0000\n\n";
            assertEquals(text, t.decode(t.encode(text), false), f.toString());
        }
    }

    @Test
    void configFlagsDecideBosAndEos(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        // As LlamaTokenizerFast: add_bos_token / add_eos_token in tokenizer_config.json replace the post-processor.
        Path dir = SharedData.dir().resolve("tokenizers/bpe/llama3");
        Files.copy(dir.resolve("tokenizer.json"), tmp.resolve("tokenizer.json"));
        Files.writeString(tmp.resolve("tokenizer_config.json"), """
                {"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>",
                 "add_bos_token": false, "add_eos_token": true}""");
        try (Tokenizer t = Tokenizers.load(tmp)) {
            assertArrayEquals(new int[] {9906, 1917, 128001}, t.encodeForModel("Hello world"));
        }
    }

    @Test
    void djlIsOfflineOnceATokenizerIsLoaded() {
        tokenizer("gpt2");
        assertTrue(ai.djl.util.Utils.isOfflineMode());
        // DJL's own URL opener (native downloads) now refuses http(s); its telemetry returns early on the same flag.
        assertThrows(IOException.class, () -> ai.djl.util.Utils.openUrl("https://publish.djl.ai/tokenizers/"));
    }

    @Test
    void closedTokenizerRefusesWork(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Files.copy(SharedData.dir().resolve("tokenizers/bpe/smollm/tokenizer.json"), tmp.resolve("tokenizer.json"));
        Tokenizer t = Tokenizers.load(tmp);
        t.close();
        t.close(); // twice is fine
        assertThrows(IllegalStateException.class, () -> t.encode("Hello"));
    }
}
