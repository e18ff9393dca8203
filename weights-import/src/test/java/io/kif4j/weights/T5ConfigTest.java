package io.kif4j.weights;

import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class T5ConfigTest {

    static final Path FILE = Path.of("config.json");

    static T5Config parse(String json) throws Exception {
        return T5Config.fromJson(FILE, Json.MAPPER.readTree(json));
    }

    @Test
    void missingKeysTakeHfDefaults() throws Exception {
        T5Config c = parse("{\"model_type\": \"t5\"}");
        assertEquals(512, c.dModel());
        assertEquals(64, c.dKv());
        assertEquals(2048, c.dFf());
        assertEquals(6, c.numLayers());
        assertEquals(6, c.numDecoderLayers());
        assertEquals(8, c.numHeads());
        assertEquals(32, c.relativeAttentionNumBuckets());
        assertEquals(128, c.relativeAttentionMaxDistance());
        assertEquals(1e-6, c.layerNormEpsilon());
        assertEquals("relu", c.denseActFn());
        assertFalse(c.isGatedAct());
        assertTrue(c.tieWordEmbeddings());
        assertEquals(32128, c.vocabSize());
        assertEquals(0, c.padTokenId());
        assertEquals(1, c.eosTokenId());
        assertEquals(0, c.decoderStartTokenId());
    }

    @Test
    void decoderLayersDefaultToEncoderLayersAndInnerDimNeedNotEqualDModel() throws Exception {
        T5Config c = parse("{\"num_layers\": 3, \"d_model\": 64, \"d_kv\": 8, \"num_heads\": 6}");
        assertEquals(3, c.numDecoderLayers());
        assertEquals(48, c.innerDim());
        assertEquals(5, parse("{\"num_layers\": 3, \"num_decoder_layers\": 5}").numDecoderLayers());
    }

    @Test
    void gatedGeluIsGeluNew() throws Exception {
        T5Config c = parse("{\"feed_forward_proj\": \"gated-gelu\", \"tie_word_embeddings\": false}");
        assertTrue(c.isGatedAct());
        assertEquals("gelu_new", c.denseActFn());
        assertFalse(c.tieWordEmbeddings());
        T5Config silu = parse("{\"feed_forward_proj\": \"gated-silu\"}");
        assertTrue(silu.isGatedAct());
        assertEquals("silu", silu.denseActFn());
    }

    /** PretrainedConfig applies the stored attributes after T5Config derived them from feed_forward_proj. */
    @Test
    void storedActivationAttributesWinAsInHf() throws Exception {
        T5Config c = parse("{\"feed_forward_proj\": \"gated-gelu\", \"dense_act_fn\": \"gelu\", \"is_gated_act\": true}");
        assertEquals("gelu", c.denseActFn());
        assertTrue(c.isGatedAct());
    }

    @Test
    void refusesMalformedFeedForwardProj() {
        assertThrows(KifInputException.class, () -> parse("{\"feed_forward_proj\": \"relu-gelu\"}"));
        assertThrows(KifInputException.class, () -> parse("{\"feed_forward_proj\": \"gated-gelu-x\"}"));
        assertThrows(KifInputException.class, () -> parse("{\"feed_forward_proj\": \"tanh\"}"));
        assertThrows(KifInputException.class, () -> parse("{\"model_type\": \"llama\"}"));
    }
}
