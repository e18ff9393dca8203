package io.kif4j.lora;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kif4j.common.testing.FuzzFiles;

import java.nio.file.Path;

/**
 * Fuzzes {@link LoraAdapter#load} on a PEFT adapter folder: the input is split ({@link FuzzFiles#split}) into
 * {@code adapter_config.json} and {@code adapter_model.safetensors}. A loaded adapter is then asked whether it
 * targets two typical module paths, as building a graph does: target_modules may be a regex from the file.
 * Seeds: {@code src/test/resources/io/kif4j/lora/LoraAdapterFuzzTestInputs/}.
 */
class LoraAdapterFuzzTest {

    // The keys the parser looks up: JsonNode.get is a hash lookup the fuzzer cannot observe, so it needs them.
    @DictionaryEntries({
            "\"LORA\"", "\"base_model_name_or_path\"", "\"bias\"", "\"fan_in_fan_out\"", "\"lora_alpha\"",
            "\"lora_dropout\"", "\"none\"", "\"peft_type\"", "\"r\"", "\"target_modules\"", "\"task_type\"",
            "\"use_rslora\"", "base_model.model.", ".lora_A.weight", ".lora_B.weight", "F32"})
    @FuzzTest(maxDuration = "10m")
    void adapterFolder(byte[] data) {
        byte[][] parts = FuzzFiles.split(data, 2);
        Path dir = FuzzFiles.scratch("adapter");
        FuzzFiles.write(dir, LoraAdapter.CONFIG_FILE, parts[0]);
        FuzzFiles.write(dir, LoraAdapter.WEIGHTS_FILE, parts[1]);
        FuzzFiles.expectCleanOutcome(dir, () -> {
            LoraAdapter a = LoraAdapter.load(dir);
            a.targets("encoder.block.0.layer.0.SelfAttention.q");
            a.targets("model.layers.11.self_attn.v_proj");
        });
    }
}
