package io.kif4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import io.kif4j.weights.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI contract of the build issue, run in-process exactly as the checks call it. */
class CliTest {

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static synchronized Run run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = Kif.execute(new PrintWriter(err, true), args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    static Path llamaFixture() {
        return Fixture.all("llama").get(0).dir();
    }

    @Test
    void generateInputsPrintsHfSequences() throws Exception {
        Fixture f = Fixture.all("llama").get(0);
        Run r = run("generate", "--model", f.dir().toString(), "--inputs", f.dir().resolve("inputs.json").toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        int[][] seq = Json.MAPPER.convertValue(j.get("sequences"), int[][].class);
        assertArrayEquals(f.intMatrix("generation.hf_generate.sequences"), seq);
    }

    @Test
    void generateFromBosOnStories260KMatchesTheReference() throws Exception {
        Path dir = Fixture.shared().resolve("weights/stories260K-hf");
        Run r = run("generate", "--model", dir.toString(), "--prompt-ids", "", "--max-new-tokens", "30", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        int[] ids = Json.MAPPER.convertValue(j.get("ids"), int[].class);
        int[] expected = Json.MAPPER.convertValue(Json.read(dir.resolve("reference.json")).get("expected_new_ids"), int[].class);
        assertArrayEquals(java.util.Arrays.copyOf(expected, 30), ids);
        assertTrue(j.get("text").asText().startsWith("Once upon a time"), j.toString());
    }

    @Test
    void scoreWritesLogitsAndPrintsTheLoss() throws Exception {
        Fixture f = Fixture.all("llama").get(0);
        Path out = tmp.resolve("out.safetensors");
        Run r = run("score", "--model", f.dir().toString(), "--inputs", f.dir().resolve("inputs.json").toString(),
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(f.at("loss").asDouble(), Json.MAPPER.readTree(r.out()).get("loss").asDouble(), 1e-5);
        double diff = Fixture.maxAbsDiffValid(SafetensorsFile.open(out).load("logits"), f.tensor("logits"),
                f.intMatrix("valid_positions"));
        assertTrue(diff <= 1e-4);
    }

    @Test
    void scoreWithAdapterWritesEveryLoraGradient() throws Exception {
        for (String type : new String[]{"llama", "t5"}) {
            Fixture f = Fixture.all(type).get(0);
            FamilyCliTest.score(f, tmp);
            FamilyCliTest.generate(f);
        }
    }

    @Test
    void tokenizeAndDecode() throws Exception {
        Path tok = Fixture.shared().resolve("tokenizers/llama2/tokenizer.model");
        Run r = run("tokenize", "--tokenizer", tok.toString(), "--text", "Hello world", "--json");
        assertEquals(0, r.exit(), r.err());
        assertArrayEquals(new int[]{15043, 3186}, Json.MAPPER.convertValue(Json.MAPPER.readTree(r.out()).get("ids"), int[].class));
        Run d = run("tokenize", "--tokenizer", tok.toString(), "--decode", "15043,3186");
        assertEquals("Hello world", d.out().trim());
    }

    @Test
    void anUnknownPresetIsOneLineListingTheAvailableOnes() {
        assertOneLineError(run("run", "--preset", "paper-t6"), "unknown preset 'paper-t6'",
                "available: paper-t5, paper-llama, rkif-t5, olora-t5");
        assertOneLineError(run("run", "--lr-schedule", "cosine"), "--lr-schedule", "linear or constant");
    }

    private void assertOneLineError(Run r, String... fragments) {
        assertEquals(2, r.exit(), r.out() + r.err());
        String line = r.err().trim();
        assertFalse(line.contains("\n"), "one line: " + line);
        assertFalse(line.contains("Exception"), "no stack trace or exception name: " + line);
        assertTrue(line.startsWith("kif: error: "), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "'" + f + "' in: " + line);
        }
    }

    private Path modelWith(byte[] safetensors, String config) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "m");
        Files.writeString(dir.resolve("config.json"), config != null ? config
                : Files.readString(llamaFixture().resolve("config.json")));
        Files.write(dir.resolve("model.safetensors"), safetensors);
        return dir;
    }

    @Test
    void malformedCheckpointsGiveOneLineErrors() throws Exception {
        byte[] good = Files.readAllBytes(llamaFixture().resolve("model.safetensors"));
        Path truncated = modelWith(java.util.Arrays.copyOf(good, good.length / 2), null);
        assertOneLineError(run("generate", "--model", truncated.toString(), "--prompt-ids", "1"),
                "model.safetensors", "outside the data section");
        byte[] lying = good.clone();
        lying[5] = 0x7f;
        assertOneLineError(run("generate", "--model", modelWith(lying, null).toString()),
                "model.safetensors", "header length");
        Path badConfig = modelWith(good, "{\"model_type\":\"llama\",\"hidden_size\":\"wide\"}");
        assertOneLineError(run("score", "--model", badConfig.toString(), "--inputs",
                llamaFixture().resolve("inputs.json").toString(), "--out", tmp.resolve("x.safetensors").toString()),
                "config.json", "hidden_size");
        Path missingKey = modelWith(good, "{\"model_type\":\"llama\",\"hidden_size\":64,\"num_attention_heads\":4,"
                + "\"num_key_value_heads\":2,\"intermediate_size\":172,\"num_hidden_layers\":3,\"vocab_size\":128}");
        assertOneLineError(run("generate", "--model", missingKey.toString()), "missing tensor 'model.layers.2");
    }

    @Test
    void debugShowsTheStack() throws Exception {
        Run r = run("generate", "--model", tmp.resolve("nope").toString(), "--debug");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("at io.kif4j"), r.err());
    }
}
