package io.kif4j.transformer.family;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;
import io.kif4j.weights.LlamaConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry's lookups, each family's reading of config.json, and the one-line refusals. */
class FamiliesTest {

    private static final Path FILE = Path.of("some/config.json");

    private static ObjectNode config(String json) throws Exception {
        return (ObjectNode) Json.MAPPER.readTree(json);
    }

    private static LlamaConfig decoder(String json) throws Exception {
        return (LlamaConfig) Families.read(FILE, config(json)).config();
    }

    private static void assertRefused(String json, String... fragments) {
        KifInputException e = assertThrows(KifInputException.class, () -> Families.read(FILE, config(json)));
        assertTrue(e.getMessage().startsWith(FILE + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void everyFamilyIsFoundByItsModelType() {
        assertEquals(List.of("t5", "llama", "qwen2", "mistral", "gemma"), Families.supported());
        for (String type : Families.supported()) {
            assertEquals(type, Families.of(type, FILE).modelType());
        }
        assertEquals(Batching.SEQ2SEQ, Families.of("t5", FILE).batching());
        assertEquals(Batching.CAUSAL, Families.of("gemma", FILE).batching());
        assertEquals(List.of("q", "v"), Families.of("t5", FILE).runDefaults().target());
        assertEquals("CAUSAL_LM", Families.of("qwen2", FILE).runDefaults().taskType());
    }

    @Test
    void unknownModelTypesNameTheFileTheFieldAndTheSupportedValues() {
        assertRefused("{\"model_type\": \"gemma2\"}", "model_type", "'gemma2'", "t5, llama, qwen2, mistral, gemma");
        assertRefused("{\"model_type\": \"mixtral\"}", "model_type", "mixtral");
        assertRefused("{\"hidden_size\": 8}", "model_type", "missing");
    }

    @Test
    void llamaReadsHeadDimRopeScalingAndBiases() throws Exception {
        LlamaConfig c = decoder("{\"model_type\": \"llama\", \"hidden_size\": 64, \"num_attention_heads\": 4,"
                + " \"head_dim\": 24, \"attention_bias\": true, \"mlp_bias\": true, \"tie_word_embeddings\": true,"
                + " \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0,"
                + " \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}}");
        assertEquals(24, c.headDim());
        assertTrue(c.qkvBias() && c.oProjBias() && c.mlpBias() && c.tieWordEmbeddings());
        assertEquals(new LlamaConfig.RopeScaling("llama3", 8, 1, 4, 8192), c.ropeScaling());
        assertEquals("linear", decoder("{\"model_type\": \"llama\", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2}}")
                .ropeScaling().type());
        assertNull(decoder("{\"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"default\"}}").ropeScaling());
        assertEquals(0, decoder("{\"model_type\": \"llama\", \"sliding_window\": 16}").slidingWindow(), "LLaMA has no window");
    }

    @Test
    void qwen2HasQkvBiasesAndIgnoresItsUnusedWindow() throws Exception {
        LlamaConfig c = decoder("{\"model_type\": \"qwen2\", \"hidden_size\": 64, \"num_attention_heads\": 4,"
                + " \"sliding_window\": 32768, \"use_sliding_window\": false, \"rope_theta\": 1000000.0}");
        assertTrue(c.qkvBias());
        assertFalse(c.oProjBias() || c.mlpBias() || c.tieWordEmbeddings());
        assertEquals(16, c.headDim());
        assertEquals(0, c.slidingWindow());
        assertEquals(1e6, c.ropeTheta());
        assertRefused("{\"model_type\": \"qwen2\", \"use_sliding_window\": true}", "use_sliding_window", "expected false");
    }

    @Test
    void mistralKeepsItsWindowAndHfDefault() throws Exception {
        assertEquals(64, decoder("{\"model_type\": \"mistral\", \"sliding_window\": 64}").slidingWindow());
        assertEquals(4096, decoder("{\"model_type\": \"mistral\"}").slidingWindow());
        assertEquals(0, decoder("{\"model_type\": \"mistral\", \"sliding_window\": null}").slidingWindow());
    }

    @Test
    void gemmaDefaultsAreGemmas() throws Exception {
        LlamaConfig c = decoder("{\"model_type\": \"gemma\", \"hidden_size\": 2048, \"num_attention_heads\": 8,"
                + " \"head_dim\": 256, \"hidden_act\": \"gelu\"}");
        assertTrue(c.tieWordEmbeddings(), "a missing tie_word_embeddings means true");
        assertTrue(c.gemmaNorms());
        assertEquals("gelu_pytorch_tanh", c.hiddenAct(), "hidden_activation decides, hidden_act is ignored");
        assertEquals(List.of(2, 1, 0), List.of(c.bosTokenId(), c.eosTokenId(), c.padTokenId()));
        assertEquals((float) Math.sqrt(2048), c.embeddingScale());
        assertEquals(256, c.headDim());
    }

    @Test
    void unsupportedFeaturesAreRefusedWithTheField() {
        assertRefused("{\"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}}",
                "rope_scaling", "'yarn'", "linear", "llama3");
        assertRefused("{\"model_type\": \"llama\", \"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 4}}",
                "rope_scaling", "dynamic");
        assertRefused("{\"model_type\": \"gemma\", \"final_logit_softcapping\": 30.0}", "final_logit_softcapping");
        assertRefused("{\"model_type\": \"gemma\", \"attn_logit_softcapping\": 50.0}", "attn_logit_softcapping");
        assertRefused("{\"model_type\": \"mistral\", \"num_local_experts\": 8}", "num_local_experts", "mixture-of-experts");
        assertRefused("{\"model_type\": \"qwen2\", \"num_experts\": 60}", "num_experts");
        assertRefused("{\"model_type\": \"llama\", \"hidden_act\": \"relu2\"}", "hidden_act", "relu2", "silu");
    }

    /** HF's Qwen2Config has no token-id defaults: EOS and pad then come from generation_config.json. */
    @Test
    void missingEosAndPadComeFromGenerationConfig(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"qwen2\", \"hidden_size\": 16,"
                + " \"intermediate_size\": 24, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
                + " \"num_key_value_heads\": 1, \"vocab_size\": 32}");
        java.nio.file.Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [7, 8], \"pad_token_id\": 3}");
        var hf = io.kif4j.weights.HfModelDir.open(dir);
        ModelSpec<?> spec = Families.read(hf.configFile(), hf.config());
        assertEquals(-1, ((LlamaConfig) spec.config()).eosTokenId());
        var model = spec.build(new io.kif4j.transformer.RandomWeightSource(spec.stateDictShapes(), 1, 0.1), hf);
        assertEquals(7, model.eosTokenId());
        assertEquals(3, model.padTokenId());
    }

    @Test
    void offValuesOfUnsupportedFeaturesAreAccepted() throws Exception {
        decoder("{\"model_type\": \"gemma\", \"final_logit_softcapping\": null, \"attn_logit_softcapping\": null}");
        decoder("{\"model_type\": \"mistral\", \"num_local_experts\": null}");
    }
}
