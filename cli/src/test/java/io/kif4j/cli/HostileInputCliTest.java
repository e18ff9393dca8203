package io.kif4j.cli;

import io.kif4j.cli.CliTest.Run;
import io.kif4j.weights.safetensors.SafetensorsFile;
import io.kif4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.kif4j.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input files through the whole CLI: every command that reads a file answers bad input with exit code 2
 * and one line "kif: error: FILE: problem" on stderr, no exception name and no stack; --debug adds the stack.
 */
class HostileInputCliTest {

    @TempDir
    Path tmp;

    static void assertInputError(Run r, Path file, String... fragments) {
        assertEquals(2, r.exit(), r.out() + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("kif: error: "), err);
        assertFalse(err.contains("Exception"), "no exception name: " + err);
        assertTrue(err.contains(file.toString()), "names " + file + ": " + err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' in: " + err);
        }
    }

    /** The LLaMA fixture's model folder with one weight set to NaN. */
    Path modelWithNanWeight() throws IOException {
        Path src = CliTest.llamaFixture();
        Path dir = Files.createDirectories(tmp.resolve("nan-model"));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        SafetensorsFile f = SafetensorsFile.open(src.resolve("model.safetensors"));
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (String name : f.names()) {
            tensors.put(name, f.load(name));
        }
        tensors.get("model.layers.0.mlp.up_proj.weight").putScalar(3, Float.NaN);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors);
        return dir;
    }

    @Test
    void generateRefusesNanWeightsNamingTheTensor() throws IOException {
        Path dir = modelWithNanWeight();
        assertInputError(run("generate", "--model", dir.toString(), "--prompt-ids", "1"),
                dir.resolve("model.safetensors"), "'model.layers.0.mlp.up_proj.weight'", "NaN");
    }

    @Test
    void generateRefusesAnUnknownModelType() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("gpt2"));
        Path config = Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"gpt2\",\"n_embd\":768}");
        assertInputError(run("generate", "--model", dir.toString()), config, "gpt2");
    }

    @Test
    void generateWithRaggedInputs() throws IOException {
        Path inputs = Files.writeString(tmp.resolve("inputs.json"),
                "{\"input_ids\": [[1, 2]], \"generation\": {\"input_ids\": [[1, 2], [3]]}}");
        assertInputError(run("generate", "--model", CliTest.llamaFixture().toString(), "--inputs", inputs.toString()),
                inputs, "'generation.input_ids' row 1");
    }

    @Test
    void scoreWithAZeroLengthInputsFile() throws IOException {
        Path inputs = Files.write(tmp.resolve("inputs.json"), new byte[0]);
        assertInputError(run("score", "--model", CliTest.llamaFixture().toString(), "--inputs", inputs.toString(),
                "--out", tmp.resolve("out.safetensors").toString()), inputs, "expected a JSON object");
    }

    @Test
    void tokenizeWithATokenizerFileOfTheWrongKind() throws IOException {
        Path model = Files.writeString(tmp.resolve("tokenizer.model"), "{\"model\": {\"type\": \"BPE\"}}");
        assertInputError(run("tokenize", "--tokenizer", model.toString(), "--text", "hi"), model, "looks like JSON");
    }

    @Test
    void trainWithNonUtf8Data() throws IOException {
        Path data = tmp.resolve("train.jsonl");
        try (OutputStream out = Files.newOutputStream(data)) {
            out.write("{\"input\": \"a\", \"output\": \"b\"}\n{\"input\": \"caf".getBytes(StandardCharsets.UTF_8));
            out.write(0xE9);
            out.write("\", \"output\": \"c\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        assertInputError(run("train", "--data", data.toString(), "--adapter-out", tmp.resolve("a").toString()),
                data, "line 2", "not valid UTF-8");
    }

    @Test
    void trainWithAnEmptyDataFile() throws IOException {
        Path data = Files.write(tmp.resolve("empty.jsonl"), new byte[0]);
        assertInputError(run("train", "--data", data.toString(), "--adapter-out", tmp.resolve("a").toString()),
                data, "empty");
    }

    @Test
    void metricsWithATenMegabyteLine() throws IOException {
        Path preds = Files.writeString(tmp.resolve("predictions.jsonl"),
                "{\"prediction\": \"" + "x".repeat(10 << 20) + "\"}\n");
        assertInputError(run("metrics", "--predictions", preds.toString()), preds, "line 1", "longer than the limit");
    }

    @Test
    void runWithAConfigOfNullsAndNegatives() throws IOException {
        // epochs, lr and the per-task sizes may be null (the model's default); the batch may not
        Path config = Files.writeString(tmp.resolve("run.yaml"), "batch: ~\nepochs: 4\n");
        assertInputError(run("run", "--config", config.toString(), "--out", tmp.resolve("r").toString()),
                config, "key 'batch' is null");
        Path negative = Files.writeString(tmp.resolve("run.json"), "{\"batch\": -8}");
        assertInputError(run("run", "--config", negative.toString(), "--out", tmp.resolve("r2").toString()),
                negative, "key 'batch' is -8");
    }

    @Test
    void runWithAConfigHoldingAnUnknownKey() throws IOException {
        Path config = Files.writeString(tmp.resolve("run.json"), "{\"epochz\": 3}");
        assertInputError(run("run", "--config", config.toString(), "--out", tmp.resolve("r").toString()),
                config, "unknown key 'epochz'");
    }

    @Test
    void debugAddsTheStackToTheSameErrorLine() throws IOException {
        Path config = Files.writeString(tmp.resolve("run.json"), "{\"batch\": null}");
        Run r = run("run", "--config", config.toString(), "--out", tmp.resolve("r").toString(), "--debug");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("kif: error: " + config), r.err());
        assertTrue(r.err().contains("KifInputException") && r.err().contains("at io.kif4j.continual.RunConfigs"), r.err());
    }
}
