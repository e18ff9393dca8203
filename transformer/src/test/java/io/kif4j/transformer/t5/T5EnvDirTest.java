package io.kif4j.transformer.t5;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.ScoreResult;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real T5 checkpoint named by the environment variable {@code KIF_T5_DIR}: a HuggingFace folder with
 * config.json and model.safetensors (t5-small, flan-t5-small, ../shared/weights/kif-t5-tiny, ...). Skipped when
 * the variable is not set. It generates greedily, then checks the teacher-forced forward pass on the generated
 * tokens against the KV-cache decode; a {@code reference.json} in kif-t5-tiny's format is compared as well.
 */
class T5EnvDirTest {

    static final String ENV = "KIF_T5_DIR";

    /** "The &lt;extra_id_0&gt; walks in &lt;extra_id_1&gt; park." in the standard T5 vocabulary, with EOS. */
    static final int[] PROMPT = {37, 32099, 10681, 16, 32098, 2447, 5, 1};

    @Test
    void generationAndForwardOnTheGivenCheckpoint() {
        String env = System.getenv(ENV);
        Assumptions.assumeTrue(env != null && !env.isBlank(), ENV + " is not set: point it at a HuggingFace T5 folder "
                + "(config.json + model.safetensors, e.g. t5-small) to run the real-T5 test");
        Path dir = Path.of(env);
        LanguageModel m = Models.load(dir);
        assertInstanceOf(T5Model.class, m, dir + " is not a T5 checkpoint");
        T5Model model = (T5Model) m;
        int vocab = model.vocabSize();
        int eos = model.eosTokenId();
        int[] prompt = Arrays.stream(PROMPT).map(id -> id == 1 ? eos : id < vocab ? id : 2 + id % (vocab - 2)).toArray();

        int maxNew = 12;
        GenerationResult g = model.generate(ModelInputs.of(new int[][]{prompt}), maxNew, true);
        int[] seq = g.sequences()[0];
        System.out.println(dir + ": greedy output ids " + Arrays.toString(seq));
        assertEquals(model.config().decoderStartTokenId(), seq[0], "output starts with decoder_start_token_id");
        int n = 0; // new tokens up to and including the first EOS
        while (n < g.newTokens()[0].length && (n == 0 || g.newTokens()[0][n - 1] != eos)) {
            n++;
        }
        for (int s = 0; s < g.newTokens()[0].length; s++) {
            int t = g.newTokens()[0][s];
            assertTrue(t >= 0 && t < vocab, "token " + t + " out of the vocabulary");
            if (s >= n) {
                assertEquals(model.padTokenId(), t, "pad after EOS");
            }
        }

        // teacher-forced forward on the generated tokens: same logits as the cached decode, argmax = greedy ids
        int[] labels = Arrays.copyOf(g.newTokens()[0], n);
        ScoreResult r = model.score(new ModelInputs(new int[][]{prompt}, ModelInputs.of(new int[][]{prompt}).attentionMask(),
                new int[][]{labels}, null, null));
        assertArrayEquals(new long[]{1, n, vocab}, r.logits().shape());
        assertTrue(Double.isFinite(r.loss()) && r.loss() >= 0, "loss " + r.loss());
        double max = 0;
        for (int s = 0; s < n; s++) {
            INDArray full = r.logits().get(NDArrayIndex.point(0), NDArrayIndex.point(s), NDArrayIndex.all());
            INDArray step = g.stepLogits().get(s).getRow(0);
            max = Math.max(max, Fixture.maxAbsDiff(step, full));
            assertEquals(labels[s], full.argMax().getInt(0), "argmax of the forward at step " + s);
        }
        System.out.printf("%s: loss on its own greedy output %.4f, max |cached decode - forward| = %.3g%n", dir, r.loss(), max);
        assertTrue(max <= 1e-4, "KV-cache decode differs from the forward pass by " + max);

        Path ref = dir.resolve("reference.json");
        if (Files.isRegularFile(ref) && Json.read(ref).has("examples")) {
            JsonNode root = Json.read(ref);
            int refMax = root.path("generation").path("max_new_tokens").asInt(maxNew);
            for (JsonNode e : root.get("examples")) {
                int[] in = Json.MAPPER.convertValue(e.get("input_ids"), int[].class);
                int[] expected = Json.MAPPER.convertValue(e.get("output_ids"), int[].class);
                assertArrayEquals(expected, model.generate(ModelInputs.of(new int[][]{in}), refMax, true).sequences()[0],
                        "reference.json example '" + e.path("text").asText() + "'");
            }
        }
    }
}
