package io.kif4j.lora;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** adapter_config.json as PEFT 0.14 writes it: its new keys at their off values load, switched on they are refused. */
class NewerPeftConfigTest {

    @TempDir
    Path tmp;

    /** PEFT 0.14's file for a plain LoRA (the keys of ../shared/fixtures-families/&lt;f&gt;/lora/adapter_config.json). */
    private static ObjectNode peft014() throws Exception {
        return (ObjectNode) Json.MAPPER.readTree("{\"alpha_pattern\": {}, \"auto_mapping\": null,"
                + " \"base_model_name_or_path\": \"\", \"bias\": \"none\", \"eva_config\": null, \"exclude_modules\": null,"
                + " \"fan_in_fan_out\": false, \"inference_mode\": true, \"init_lora_weights\": true,"
                + " \"layer_replication\": null, \"layers_pattern\": null, \"layers_to_transform\": null,"
                + " \"loftq_config\": {}, \"lora_alpha\": 8, \"lora_bias\": false, \"lora_dropout\": 0.0,"
                + " \"megatron_config\": null, \"megatron_core\": \"megatron.core\", \"modules_to_save\": null,"
                + " \"peft_type\": \"LORA\", \"r\": 4, \"rank_pattern\": {}, \"revision\": null,"
                + " \"target_modules\": [\"k_proj\", \"v_proj\", \"o_proj\", \"q_proj\"], \"task_type\": \"CAUSAL_LM\","
                + " \"use_dora\": false, \"use_rslora\": false}");
    }

    private Path write(ObjectNode c) throws Exception {
        Path p = Files.createTempFile(tmp, "adapter_config", ".json");
        Files.writeString(p, c.toString());
        return p;
    }

    @Test
    void offValuesArePlainLora() throws Exception {
        LoraConfig c = LoraConfig.read(write(peft014()));
        assertEquals(4, c.r());
        assertEquals(2.0, c.scaling());
        assertEquals(List.of("k_proj", "v_proj", "o_proj", "q_proj"), c.targetModules());
    }

    @Test
    void switchedOnFeaturesAreRefusedWithOneLine() throws Exception {
        String[][] cases = {{"use_dora", "true"}, {"lora_bias", "true"}, {"layer_replication", "[[0, 2]]"},
                {"exclude_modules", "[\"o_proj\"]"}, {"rank_pattern", "{\"q_proj\": 8}"}, {"alpha_pattern", "{\"q_proj\": 4}"},
                {"layers_to_transform", "[0]"}, {"modules_to_save", "[\"lm_head\"]"}};
        for (String[] kv : cases) {
            ObjectNode c = peft014();
            c.set(kv[0], Json.MAPPER.readTree(kv[1]));
            Path p = write(c);
            KifInputException e = assertThrows(KifInputException.class, () -> LoraConfig.read(p), kv[0]);
            assertTrue(e.getMessage().startsWith(p + ": " + kv[0] + ": "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
