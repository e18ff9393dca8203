package io.kif4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import io.kif4j.common.Json;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code kif bench --mode generate|rank} runs and prints (no timing asserted). */
class BenchInferenceTest {

    private static final Path SHARED = Path.of(System.getProperty("kif.shared", "../shared"));

    @Test
    void generationGivesExactlyTheRequestedTokensEvenPastEos() {
        for (String name : new String[]{"stories260K-hf", "kif-t5-tiny"}) {
            LanguageModel m = Models.load(SHARED.resolve("weights").resolve(name));
            int[][] prompts = BenchInference.randomIds(new Random(1), 3, 6, m.vocabSize());
            assertEquals(3 * 20, BenchInference.generate(m, prompts, 20), name);
        }
    }

    @Test
    void rankingPicksOneOfTheLabels() {
        for (String name : new String[]{"stories260K-hf", "kif-t5-tiny"}) {
            LanguageModel m = Models.load(SHARED.resolve("weights").resolve(name));
            Random rnd = new Random(2);
            int[][] prompts = BenchInference.randomIds(rnd, 2, 5, m.vocabSize());
            int[][][] labels = {BenchInference.randomIds(rnd, 3, 2, m.vocabSize()),
                    BenchInference.randomIds(rnd, 3, 2, m.vocabSize())};
            for (int best : BenchInference.rank(m, prompts, labels)) {
                assertTrue(best >= 0 && best < 3, name + ": " + best);
            }
        }
    }

    @Test
    void generateModePrintsOneJsonLineWithItsFields() throws Exception {
        JsonNode out = run("--mode", "generate", "--model", SHARED.resolve("weights/stories260K-hf").toString(),
                "--batch", "2", "--src", "4", "--new-tokens", "3", "--steps", "1", "--warmup", "0", "--json");
        assertEquals("generate", out.get("mode").asText());
        assertEquals(3, out.get("new_tokens").asInt());
        for (String f : new String[]{"median_ms", "generated_tokens_per_s", "prefill_ms", "decode_step_ms", "median_cpu_ms"}) {
            assertTrue(out.get(f).isNumber(), f);
        }
    }

    @Test
    void rankModePrintsExamplesPerSecond() throws Exception {
        JsonNode out = run("--mode", "rank", "--model", SHARED.resolve("weights/kif-t5-tiny").toString(),
                "--batch", "2", "--src", "4", "--steps", "1", "--warmup", "0", "--json");
        assertEquals("rank", out.get("mode").asText());
        assertTrue(out.get("examples_per_s").isNumber());
    }

    private static JsonNode run(String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, new picocli.CommandLine(new BenchCommand()).execute(args));
        } finally {
            System.setOut(old);
        }
        String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
        return Json.MAPPER.readTree(lines[lines.length - 1]);
    }
}
