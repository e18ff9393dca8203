package io.kif4j.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigAndModelDirTest {

    @TempDir
    Path tmp;

    Path config(String json) throws Exception {
        Path p = tmp.resolve("config.json");
        Files.writeString(p, json);
        return p;
    }

    void assertRejected(Runnable r, Path file, String... fragments) {
        KifInputException e = assertThrows(KifInputException.class, r::run);
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
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
        Path p = config("{\"model_type\":\"llama\",\"hidden_size\":\"64\"}");
        assertRejected(() -> LlamaConfig.read(p), p, "'hidden_size'", "expected an integer");
        Path q = config("{\"model_type\":\"llama\",\"hidden_size\":-64}");
        assertRejected(() -> LlamaConfig.read(q), q, "'hidden_size'", "positive");
        Path r = config("{\"model_type\":\"llama\",\"hidden_size\":60,\"num_attention_heads\":8}");
        assertRejected(() -> LlamaConfig.read(r), r, "not divisible");
        Path s = config("{\"model_type\":\"llama\",\"num_attention_heads\":8,\"num_key_value_heads\":3}");
        assertRejected(() -> LlamaConfig.read(s), s, "num_key_value_heads");
        Path t = config("{\"model_type\":\"gpt2\"}");
        assertRejected(() -> LlamaConfig.read(t), t, "model_type", "gpt2");
        Path u = config("{\"model_type\": ");
        assertRejected(() -> LlamaConfig.read(u), u, "not well-formed JSON");
        Path v = config("{\"model_type\":\"t5\",\"feed_forward_proj\":\"gated-swoosh\"}");
        assertRejected(() -> T5Config.read(v), v, "feed_forward_proj");
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
}
