package io.kif4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.transformer.RandomWeightSource;
import io.kif4j.transformer.family.Families;
import io.kif4j.transformer.family.ModelSpec;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import io.kif4j.weights.safetensors.SafetensorsFile;
import io.kif4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kif score}, {@code kif generate --inputs} and {@code kif run --model} on every decoder-only fixture of
 * both roots (llama, qwen2, mistral, gemma, …), with the output formats the first fixtures have.
 */
class FamilyCliTest {

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicContainer> everyDecoderFixture() {
        return Fixture.all("llama").stream().map(f -> DynamicContainer.dynamicContainer(f.name() + " (" + f.modelType() + ")",
                List.of(DynamicTest.dynamicTest("score, base and LoRA with gradients", () -> score(f, tmp)),
                        DynamicTest.dynamicTest("generate --inputs --json, base and LoRA", () -> generate(f)))));
    }

    /** {@code kif score} of the base model and with the fixture's adapter ({@code --grads}), against HF. */
    static void score(Fixture f, Path tmp) throws Exception {
        Path out = tmp.resolve(f.name() + "-" + f.modelType() + ".safetensors");
        CliTest.Run r = CliTest.run("score", "--model", f.dir().toString(), "--inputs", f.dir().resolve("inputs.json").toString(),
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(f.at("loss").asDouble(), Json.MAPPER.readTree(r.out()).get("loss").asDouble(), 1e-5);
        double diff = Fixture.maxAbsDiffValid(SafetensorsFile.open(out).load("logits"), f.tensor("logits"),
                f.intMatrix("valid_positions"));
        assertTrue(diff <= 1e-4, "logits differ by " + diff);

        Path lora = tmp.resolve(f.name() + "-" + f.modelType() + "-lora.safetensors");
        CliTest.Run g = CliTest.run("score", "--model", f.dir().toString(), "--adapter", f.dir().resolve("lora").toString(),
                "--inputs", f.dir().resolve("inputs.json").toString(), "--out", lora.toString(), "--grads");
        assertEquals(0, g.exit(), g.err());
        assertEquals(f.at("lora.loss").asDouble(), Json.MAPPER.readTree(g.out()).get("loss").asDouble(), 1e-5);
        SafetensorsFile written = SafetensorsFile.open(lora);
        for (JsonNode n : f.at("lora.grad_names")) {
            INDArray e = f.tensor(n.asText());
            double d = Fixture.maxAbsDiff(written.load(n.asText()), e);
            assertTrue(d <= 1e-4 * e.amaxNumber().doubleValue(), n.asText() + " differs by " + d);
        }
    }

    /** {@code kif generate --inputs --json}, base and with the adapter: HF's greedy sequences. */
    static void generate(Fixture f) throws Exception {
        CliTest.Run r = CliTest.run("generate", "--model", f.dir().toString(), "--inputs",
                f.dir().resolve("inputs.json").toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertArrayEquals(f.intMatrix("generation.hf_generate.sequences"),
                Json.MAPPER.convertValue(Json.MAPPER.readTree(r.out()).get("sequences"), int[][].class));
        CliTest.Run l = CliTest.run("generate", "--model", f.dir().toString(), "--adapter", f.dir().resolve("lora").toString(),
                "--inputs", f.dir().resolve("inputs.json").toString(), "--json");
        assertEquals(0, l.exit(), l.err());
        assertArrayEquals(f.intMatrix("generation_lora.hf_generate.sequences"),
                Json.MAPPER.convertValue(Json.MAPPER.readTree(l.out()).get("sequences"), int[][].class));
    }

    /**
     * One fixture per model_type. A fixture folder holds no tokenizer, so {@code run --model FIXTURE} stops as it
     * does on the first fixtures, with one line naming the missing tokenizer after the model loaded; the whole run
     * is checked on the fixture's architecture (its config.json) with random weights and the stories260K tokenizer's
     * vocabulary.
     */
    @TestFactory
    Stream<DynamicTest> runOnEveryArchitecture() {
        Set<String> seen = new HashSet<>();
        List<Fixture> one = new ArrayList<>();
        for (Fixture f : Fixture.all("llama")) {
            if (seen.add(f.modelType())) {
                one.add(f);
            }
        }
        return one.stream().flatMap(f -> Stream.of(
                DynamicTest.dynamicTest(f.name() + " (" + f.modelType() + "): run", () -> run(f)),
                DynamicTest.dynamicTest(f.name() + " (" + f.modelType() + "): bench --model-config", () -> bench(f))));
    }

    /** {@code kif bench --model-config} takes the fixture's config.json (random weights) and prints its JSON line. */
    static void bench(Fixture f) throws Exception {
        CliTest.Run r = CliTest.run("bench", "--model-config", f.dir().resolve("config.json").toString(), "--batch", "2",
                "--src", "8", "--steps", "1", "--warmup", "0", "--no-importance", "--no-fusion", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertTrue(j.get("median_step_ms").asDouble() > 0, j.toString());
        assertEquals(List.of("q_proj", "v_proj"), Json.MAPPER.convertValue(j.get("lora_targets"), List.class));
    }

    static void run(Fixture f) throws Exception {
        CliTest.Run missing = CliTest.run("run", "--model", f.dir().toString(), "--out", tmp.resolve(f.name() + "-run0").toString());
        assertEquals(2, missing.exit(), missing.out() + missing.err());
        assertTrue(missing.err().trim().startsWith("kif: error: ") && missing.err().contains("tokenizer"), missing.err());
        assertFalse(missing.err().trim().contains("\n"), missing.err());

        Path model = withTokenizer(f);
        Path out = tmp.resolve(f.name() + "-run");
        CliTest.Run r = CliTest.run("run", "--model", model.toString(), "--tasks", "dbpedia,agnews", "--train-per-task", "4",
                "--test-per-task", "2", "--epochs", "1", "--batch", "2", "--eval", "rank-labels", "--max-source-length", "48",
                "--seed", "3", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode metrics = Json.read(out.resolve("metrics.json"));
        assertEquals(2, metrics.get("matrix").size());
        assertTrue(metrics.get("ap").isNumber(), metrics.toString());
        JsonNode adapter = Json.read(out.resolve("config.json"));
        assertEquals(List.of("q_proj", "v_proj"), Json.MAPPER.convertValue(adapter.get("target"), List.class));
    }

    /** The fixture's config.json sized to the stories260K tokenizer, random weights, that tokenizer. */
    private static Path withTokenizer(Fixture f) throws Exception {
        Path tokDir = Fixture.shared().resolve("weights/stories260K-hf");
        int vocab = Json.read(tokDir.resolve("config.json")).get("vocab_size").asInt();
        Path dir = Files.createDirectories(tmp.resolve(f.name() + "-" + f.modelType() + "-model"));
        ObjectNode c = (ObjectNode) Json.read(f.dir().resolve("config.json"));
        c.put("vocab_size", vocab);
        Files.writeString(dir.resolve("config.json"), c.toString());
        ModelSpec<?> spec = Families.read(dir.resolve("config.json"));
        RandomWeightSource w = new RandomWeightSource(spec.stateDictShapes(), 5, 0.05);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (String n : w.names()) {
            tensors.put(n, w.load(n));
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors);
        Files.copy(tokDir.resolve("tokenizer.model"), dir.resolve("tokenizer.model"));
        return dir;
    }
}
