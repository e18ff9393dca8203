package io.kif4j.weights;

import io.kif4j.common.KifInputException;
import io.kif4j.common.testing.InputErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigAndModelDirTest {

    @TempDir
    Path tmp;

    Path config(String json) throws Exception {
        return Files.writeString(tmp.resolve("config.json"), json);
    }

    void assertRejected(Runnable r, Path file, String... fragments) {
        InputErrors.assertRejected(r::run, file, fragments);
    }

    /** Writes {@code json} as config.json and asserts that {@code read} refuses it, naming the file and each fragment. */
    void assertConfigRejected(Function<Path, ?> read, String json, String... fragments) throws Exception {
        Path p = config(json);
        assertRejected(() -> read.apply(p), p, fragments);
    }

    @Test
    void llamaDefaultsFollowHf() throws Exception {
        LlamaConfig c = LlamaConfig.read(config("{\"model_type\":\"llama\",\"hidden_size\":64,\"num_attention_heads\":8,"
                + "\"intermediate_size\":172,\"num_hidden_layers\":2,\"vocab_size\":100}"));
        assertEquals(8, c.numKeyValueHeads());
        assertEquals(1e-6, c.rmsNormEps());
        assertEquals(10000.0, c.ropeTheta());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(-1, c.padTokenId());
        assertEquals(8, c.headDim());
    }

    @Test
    void t5DefaultsFollowHf() throws Exception {
        T5Config c = T5Config.read(config("{\"model_type\":\"t5\",\"d_model\":32,\"num_layers\":3,"
                + "\"feed_forward_proj\":\"gated-gelu\"}"));
        assertEquals(3, c.numDecoderLayers());
        assertTrue(c.tieWordEmbeddings());
        assertEquals("gelu_new", c.denseActFn());
        assertTrue(c.isGatedAct());
        assertEquals(0, c.decoderStartTokenId());
        T5Config relu = T5Config.read(config("{\"model_type\":\"t5\"}"));
        assertEquals("relu", relu.denseActFn());
        assertFalse(relu.isGatedAct());
    }

    @Test
    void badConfigValuesNameTheFieldAndTheFile() throws Exception {
        assertConfigRejected(LlamaConfig::read, "{\"model_type\":\"llama\",\"hidden_size\":\"64\"}", "'hidden_size'", "expected an integer");
        assertConfigRejected(LlamaConfig::read, "{\"model_type\":\"llama\",\"hidden_size\":-64}", "'hidden_size'", "positive");
        assertConfigRejected(LlamaConfig::read, "{\"model_type\":\"llama\",\"hidden_size\":60,\"num_attention_heads\":8}", "not divisible");
        assertConfigRejected(LlamaConfig::read, "{\"model_type\":\"llama\",\"num_attention_heads\":8,\"num_key_value_heads\":3}", "num_key_value_heads");
        assertConfigRejected(LlamaConfig::read, "{\"model_type\":\"gpt2\"}", "model_type", "gpt2");
        assertConfigRejected(LlamaConfig::read, "{\"model_type\": ", "not well-formed JSON");
        assertConfigRejected(T5Config::read, "{\"model_type\":\"t5\",\"feed_forward_proj\":\"gated-swoosh\"}", "feed_forward_proj");
    }

    @Test
    void picklesAreRefusedWithTheReason() throws Exception {
        Files.writeString(tmp.resolve("config.json"), "{\"model_type\":\"llama\"}");
        Files.write(tmp.resolve("pytorch_model.bin"), new byte[]{(byte) 0x80, 2});
        KifInputException e = assertThrows(KifInputException.class, () -> HfModelDir.open(tmp).weights());
        assertTrue(e.getMessage().contains("arbitrary code"), e.getMessage());
        assertTrue(e.getMessage().contains("safetensors"), e.getMessage());
    }

    @Test
    void missingDirectoryOrConfig() {
        Path nowhere = tmp.resolve("nope");
        assertRejected(() -> HfModelDir.open(nowhere), nowhere, "not a model directory");
        assertRejected(() -> HfModelDir.open(tmp), tmp, "no config.json");
    }

    @Test
    void jacksonLimitsGiveAnInputErrorNotANullPointer() throws Exception {
        // Jackson's nesting-depth and number-length limits throw without a location; reading it was an NPE.
        assertConfigRejected(LlamaConfig::read, "{\"a\":" + "[".repeat(1200) + "]".repeat(1200) + "}", "not well-formed JSON", "nesting depth");
        assertConfigRejected(LlamaConfig::read, "{\"hidden_size\":" + "9".repeat(1200) + "}", "not well-formed JSON");
    }

    @Test
    void zeroLengthNonUtf8AndNonObjectConfigs() throws Exception {
        assertConfigRejected(T5Config::read, "", "expected a JSON object");
        assertConfigRejected(T5Config::read, "[1,2]", "expected a JSON object");
        Path latin1 = tmp.resolve("config.json");
        Files.write(latin1, new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xe9, '"', '}'});
        assertRejected(() -> T5Config.read(latin1), latin1, "not valid UTF-8");
    }

    @Test
    void wrongTypesAndNonFiniteNumbersNameTheField() throws Exception {
        assertConfigRejected(T5Config::read, "{\"model_type\":\"t5\",\"num_heads\":4.5}", "'num_heads'", "expected an integer");
        assertConfigRejected(T5Config::read, "{\"model_type\":\"t5\",\"d_model\":3000000000}", "'d_model'", "expected an integer");
        assertConfigRejected(T5Config::read, "{\"model_type\":\"t5\",\"tie_word_embeddings\":\"yes\"}", "'tie_word_embeddings'", "true or false");
        assertConfigRejected(LlamaConfig::read, "{\"model_type\":\"llama\",\"rms_norm_eps\":1e999}", "'rms_norm_eps'", "finite");
        assertConfigRejected(T5Config::read, "{\"model_type\":\"t5\",\"num_heads\":0}", "'num_heads'", "positive");
        assertConfigRejected(LlamaConfig::read, "{\"model_type\":\"llama\",\"hidden_size\":24,\"num_attention_heads\":8}", "head_dim 3", "even");
    }

    @Test
    void feedForwardProjOfOnlyADash() throws Exception {
        // "-".split("-") is empty: this was an ArrayIndexOutOfBoundsException.
        assertConfigRejected(T5Config::read, "{\"model_type\":\"t5\",\"feed_forward_proj\":\"-\"}", "feed_forward_proj '-'");
    }

    @Test
    void unknownModelTypeIsNamed() throws Exception {
        assertConfigRejected(T5Config::read, "{\"model_type\":\"bert\"}", "model_type is 'bert'", "expected 't5'");
        assertEquals("bert", HfModelDir.open(tmp).modelType());
    }

    @Test
    void errorMessagesStayOneLineWhateverTheFileQuotes() throws Exception {
        Path p = config("{\"model_type\":\"llama\\nkif: ok\\u001b[2J" + "x".repeat(5000) + "\"}");
        KifInputException e = assertThrows(KifInputException.class, () -> LlamaConfig.read(p));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(e.getMessage().contains("\u001b"), "no raw escape character: " + e.getMessage());
        assertTrue(e.getMessage().contains("\\n"), "newline shown escaped: " + e.getMessage());
        assertTrue(e.getMessage().length() < 2100 && e.getMessage().endsWith("[...]"), e.getMessage());
    }
}
