package io.kif4j.transformer.llama;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Mistral sliding window narrower than the sequences (the fixtures' window never bites): KV-cache decoding
 * must apply it as the full forward pass does, and it must change the logits.
 */
class SlidingWindowTest {

    @TempDir
    Path tmp;

    /** A decoder fixture without biases, as model_type mistral with the given window. */
    private Path mistralWith(Fixture f, int window) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("w" + window));
        ObjectNode c = (ObjectNode) Json.read(f.dir().resolve("config.json"));
        c.put("model_type", "mistral");
        c.put("sliding_window", window);
        Files.writeString(dir.resolve("config.json"), c.toString());
        Files.createSymbolicLink(dir.resolve("model.safetensors"), f.dir().resolve("model.safetensors").toAbsolutePath());
        return dir;
    }

    @Test
    void cachedDecodingAppliesTheWindowLikeTheFullPass() throws Exception {
        Fixture f = Fixture.all("llama").stream().filter(x -> x.modelType().equals("mistral")).findFirst()
                .orElse(Fixture.all("llama").get(0));
        ModelInputs prompt = f.inputs().generation();
        int steps = f.inputs().maxNewTokens();
        LlamaModel narrow = LlamaModel.load(mistralWith(f, 3));
        LlamaModel wide = LlamaModel.load(mistralWith(f, 4096));
        GenerationResult g = narrow.generate(prompt, steps, false);

        // the whole generated sequence in one pass, positions as in generation (cumsum(mask) − 1, pads 1)
        int b = prompt.batchSize();
        int len = prompt.length();
        int total = len + g.newTokens()[0].length;
        int[][] mask = new int[b][total];
        int[][] pos = new int[b][total];
        for (int r = 0; r < b; r++) {
            int cum = 0;
            for (int i = 0; i < total; i++) {
                mask[r][i] = i < len ? prompt.attentionMask()[r][i] : 1;
                cum += mask[r][i];
                pos[r][i] = mask[r][i] == 0 ? 1 : cum - 1;
            }
        }
        INDArray full = narrow.score(new ModelInputs(g.sequences(), mask, null, null, pos)).logits();
        double maxDiff = 0;
        for (int s = 0; s < g.stepLogits().size(); s++) {
            INDArray atPos = full.get(NDArrayIndex.all(), NDArrayIndex.point(len - 1 + s), NDArrayIndex.all());
            maxDiff = Math.max(maxDiff, Fixture.maxAbsDiff(g.stepLogits().get(s), atPos));
        }
        assertTrue(maxDiff <= 1e-4, "cached vs full pass with window 3: " + maxDiff);

        INDArray wideLogits = wide.score(new ModelInputs(g.sequences(), mask, null, null, pos)).logits();
        double windowEffect = Fixture.maxAbsDiff(full, wideLogits);
        assertTrue(windowEffect > 1e-2, "a window of 3 changes the logits: " + windowEffect);
        // the first three slots of a row that starts unpadded see the same keys either way
        for (int r = 0; r < b; r++) {
            if (mask[r][0] == 1) {
                INDArray early = full.get(NDArrayIndex.point(r), NDArrayIndex.interval(0, 3), NDArrayIndex.all());
                INDArray earlyWide = wideLogits.get(NDArrayIndex.point(r), NDArrayIndex.interval(0, 3), NDArrayIndex.all());
                assertEquals(0, Fixture.maxAbsDiff(early, earlyWide), 1e-5, "row " + r);
            }
        }
    }
}
