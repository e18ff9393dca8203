package io.kif4j.cli;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Java API example, line for line (paths aside). */
class ReadmeExampleTest {

    @TempDir
    Path tmp;

    @Test
    void readmeExampleRuns() {
        Path dir = Fixture.shared().resolve("weights/stories260K-hf");
        LanguageModel model = Models.load(dir);
        try (Tokenizer tok = Tokenizers.load(dir)) {
            int[] prompt = tok.encodeForModel("Once upon a time");
            GenerationResult g = model.generate(ModelInputs.of(new int[][]{prompt}), 40, true);
            String text = tok.decode(g.newTokens()[0]);
            assertTrue(text.startsWith(", there was a little"), text);

            LoraAdapter lora = LoraAdapter.create(LoraConfig.of(8, 16, 0.0, List.of("q_proj", "v_proj"), "CAUSAL_LM"), 42);
            Lora.attach(model, lora);
            int[][] ids = {prompt};
            Lora.LossAndGradients lg = Lora.lossAndGradients(model, lora,
                    new ModelInputs(ids, ModelInputs.of(ids).attentionMask(), ids, null, null));
            assertEquals(2 * 5 * 2, lg.gradients().size(), "A and B of q_proj and v_proj in 5 layers");
            lora.save(tmp.resolve("my-adapter"));
            assertTrue(Files.isRegularFile(tmp.resolve("my-adapter/adapter_model.safetensors")));
        }
    }
}
