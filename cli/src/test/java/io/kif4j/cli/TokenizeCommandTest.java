package io.kif4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.kif4j.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./kif tokenize} on the byte-level BPE folders of shared/tokenizers/bpe, one string and in batch. */
class TokenizeCommandTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void startLoggingBeforeStdoutIsCaptured() {
        // Logback prints its start-up status to stdout in reactor builds (two logback-test.xml on the classpath).
        LoggerFactory.getLogger(TokenizeCommandTest.class).debug("logging started");
    }

    /** Every family folder with a reference.jsonl, found by listing. */
    static List<Path> families() throws IOException {
        try (Stream<Path> s = Files.list(Fixture.shared().resolve("tokenizers/bpe"))) {
            List<Path> dirs = s.filter(d -> Files.isRegularFile(d.resolve("reference.jsonl"))).sorted().toList();
            assertFalse(dirs.isEmpty(), "no bpe families");
            return dirs;
        }
    }

    private static List<JsonNode> jsonLines(String text) throws IOException {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                out.add(Json.MAPPER.readTree(line));
            }
        }
        return out;
    }

    @Test
    void batchFormReproducesEveryReferenceLine() throws IOException {
        for (Path family : families()) {
            Path reference = family.resolve("reference.jsonl");
            CliTest.Run r = run("tokenize", "--tokenizer", family.toString(), "--inputs", reference.toString(), "--json");
            assertEquals(0, r.exit(), family + ": " + r.err());
            List<JsonNode> expected = jsonLines(Files.readString(reference));
            List<JsonNode> got = jsonLines(r.out());
            assertEquals(expected.size(), got.size(), family + ": one output line per input line");
            for (int i = 0; i < expected.size(); i++) {
                JsonNode e = expected.get(i);
                JsonNode g = got.get(i);
                String where = family.getFileName() + " line " + (i + 1);
                assertEquals(e.get("ids"), g.get("ids"), where + " ids");
                assertEquals(e.get("ids_with_special"), g.get("hf_ids"), where + " hf_ids");
                assertEquals(e.get("tokens"), g.get("pieces"), where + " pieces");
                assertEquals(e.get("decoded"), g.get("decoded"), where + " decoded");
            }
        }
    }

    @Test
    void textAndDecodeOnOneFolder() throws IOException {
        Path qwen = Fixture.shared().resolve("tokenizers/bpe/qwen2");
        CliTest.Run r = run("tokenize", "--tokenizer", qwen.toString(), "--text", "Hello world");
        assertEquals(0, r.exit(), r.err());
        assertEquals("9707 1879", r.out().trim());
        CliTest.Run d = run("tokenize", "--tokenizer", qwen.toString(), "--decode", "151644,9707,1879,151645", "--json");
        assertEquals(0, d.exit(), d.err());
        assertEquals("<|im_start|>Hello world<|im_end|>", Json.MAPPER.readTree(d.out()).get("text").textValue());
        CliTest.Run s = run("tokenize", "--tokenizer", qwen.toString(), "--decode", "151644,9707,1879,151645",
                "--skip-special");
        assertEquals("Hello world", s.out().trim());
    }

    @Test
    void nulsAndTrailingNewlinesGoThroughTheBatchForm() throws IOException {
        Path in = Files.writeString(tmp.resolve("in.jsonl"), "{\"text\": \"a\\u0000b\\n\\n\"}\n{\"text\": \"\"}\n",
                StandardCharsets.UTF_8);
        CliTest.Run r = run("tokenize", "--tokenizer", Fixture.shared().resolve("tokenizers/bpe/gpt2").toString(),
                "--inputs", in.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> got = jsonLines(r.out());
        assertEquals(2, got.size());
        assertEquals("a\u0000b\n\n", got.get(0).get("decoded").textValue());
        assertEquals(0, got.get(1).get("ids").size());
    }

    @Test
    void badLinesNameTheFileAndTheLine() throws IOException {
        String tok = Fixture.shared().resolve("tokenizers/bpe/gpt2").toString();
        Path noText = Files.writeString(tmp.resolve("a.jsonl"), "{\"text\": \"ok\"}\n{\"prompt\": \"x\"}\n");
        assertOneLineError(run("tokenize", "--tokenizer", tok, "--inputs", noText.toString(), "--json"),
                noText + ": line 2: text");
        Path notJson = Files.writeString(tmp.resolve("b.jsonl"), "{\"text\": \"ok\"}\n{\"text\": \n");
        assertOneLineError(run("tokenize", "--tokenizer", tok, "--inputs", notJson.toString(), "--json"),
                notJson + ": line 2: not valid JSON");
        Path surrogate = Files.writeString(tmp.resolve("c.jsonl"), "{\"text\": \"a\\ud800\"}\n");
        assertOneLineError(run("tokenize", "--tokenizer", tok, "--inputs", surrogate.toString(), "--json"),
                surrogate + ": line 1: text: unpaired surrogate");
        CliTest.Run r = run("tokenize", "--tokenizer", tok, "--inputs", tmp.resolve("missing.jsonl").toString());
        assertOneLineError(r, "missing.jsonl");
    }

    private static void assertOneLineError(CliTest.Run r, String fragment) {
        assertEquals(2, r.exit(), r.out() + r.err());
        String line = r.err().trim();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("kif: error: ") && line.contains(fragment), "'" + fragment + "' in: " + line);
        assertEquals("", r.out(), "nothing printed before the error");
    }
}
