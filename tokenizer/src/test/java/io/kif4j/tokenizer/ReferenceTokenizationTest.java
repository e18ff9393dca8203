package io.kif4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.kif4j.tokenizer.SharedData.ints;
import static io.kif4j.tokenizer.SharedData.strings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Every line of the four reference files in shared/tokenizers, reproduced exactly. */
class ReferenceTokenizationTest {

    private static Tokenizer llama;
    private static Tokenizer stories;
    private static Tokenizer t5;
    private static Tokenizer t5Tiny;
    private static Tokenizer t5Json;

    @BeforeAll
    static void load() {
        llama = Tokenizers.load(SharedData.file("tokenizers/llama2/tokenizer.model"));
        stories = Tokenizers.load(SharedData.file("weights/stories260K-hf/tokenizer.model"));
        t5 = Tokenizers.load(SharedData.file("tokenizers/t5/spiece.model"));
        t5Tiny = Tokenizers.load(SharedData.file("weights/kif-t5-tiny/spiece.model"));
        t5Json = Tokenizers.load(SharedData.file("tokenizers/t5/tokenizer.json"));
        assertInstanceOf(SentencePieceTokenizer.class, t5);
        assertInstanceOf(HfJsonTokenizer.class, t5Json);
    }

    static Stream<Arguments> llamaLines() {
        return SharedData.jsonl("tokenizers/reference-llama2-sentencepiece.jsonl", 50).stream()
                .map(l -> Arguments.of(l.get("i").intValue(), l));
    }

    static Stream<Arguments> storiesLines() {
        return SharedData.jsonl("tokenizers/reference-tok512-stories260K-sentencepiece.jsonl", 50).stream()
                .map(l -> Arguments.of(l.get("i").intValue(), l));
    }

    static Stream<Arguments> t5Lines() {
        return SharedData.jsonl("tokenizers/reference-t5-sentencepiece.jsonl", 50).stream()
                .flatMap(l -> Stream.of(Arguments.of("t5", l.get("i").intValue(), l),
                        Arguments.of("kif-t5-tiny", l.get("i").intValue(), l)));
    }

    static Stream<Arguments> t5JsonLines() {
        return SharedData.jsonl("tokenizers/reference-t5-tokenizer_json.jsonl", 50).stream()
                .map(l -> Arguments.of(l.get("i").intValue(), l));
    }

    @ParameterizedTest(name = "llama2 line {0}")
    @MethodSource("llamaLines")
    void llama2(int i, JsonNode line) {
        assertSentencePieceLine(llama, line);
        assertArrayEquals(ints(line.get("hf_ids_with_bos")), llama.encodeForModel(line.get("text").textValue()));
    }

    @ParameterizedTest(name = "stories260K line {0}")
    @MethodSource("storiesLines")
    void stories260K(int i, JsonNode line) {
        assertSentencePieceLine(stories, line);
        // The file has no HF column; its tokenizer_config says add_bos_token, as for LLaMA-2.
        int[] ids = ints(line.get("ids"));
        int[] withBos = IntStream.concat(IntStream.of(1), Arrays.stream(ids)).toArray();
        assertArrayEquals(withBos, stories.encodeForModel(line.get("text").textValue()));
    }

    @ParameterizedTest(name = "{0} line {1}")
    @MethodSource("t5Lines")
    void t5SentencePiece(String which, int i, JsonNode line) {
        Tokenizer t = which.equals("t5") ? t5 : t5Tiny;
        assertSentencePieceLine(t, line);
        assertArrayEquals(ints(line.get("hf_ids_with_eos")), t.encodeForModel(line.get("text").textValue()));
    }

    @ParameterizedTest(name = "t5 tokenizer.json line {0}")
    @MethodSource("t5JsonLines")
    void t5TokenizerJson(int i, JsonNode line) {
        String text = line.get("text").textValue();
        int[] expected = ints(line.get("hf_ids"));
        assertArrayEquals(expected, t5Json.encodeForModel(text));
        assertArrayEquals(Arrays.copyOf(expected, expected.length - 1), t5Json.encode(text), "without the EOS");
        assertEquals(t5Json.encode(text).length, t5Json.pieces(text).size(), "one piece per id");
    }

    private static void assertSentencePieceLine(Tokenizer t, JsonNode line) {
        String text = line.get("text").textValue();
        int[] ids = ints(line.get("ids"));
        assertArrayEquals(ids, t.encode(text), "ids");
        assertEquals(strings(line.get("pieces")), t.pieces(text), "pieces");
        assertEquals(line.get("decoded").textValue(), t.decode(ids), "decoded");
    }
}
