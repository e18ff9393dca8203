package io.kif4j.weights;

import io.kif4j.common.testing.FuzzFiles;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kif4j.weights.safetensors.ShardedSafetensors;

import java.nio.file.Path;

/**
 * Fuzzes the JSON files of a model directory: the input is written as {@code config.json} and read as a model
 * directory, a LLaMA config and a T5 config, and as {@code model.safetensors.index.json} (the shard index, whose
 * shards are absent or named by the fuzzer). Seeds: {@code src/test/resources/io/kif4j/weights/ConfigFuzzTestInputs/}.
 */
class ConfigFuzzTest {

    // The keys the parser looks up: JsonNode.get is a hash lookup the fuzzer cannot observe, so it needs them.
    @DictionaryEntries({
            "\"attention_bias\"", "\"bos_token_id\"", "\"d_ff\"", "\"d_kv\"", "\"d_model\"",
            "\"decoder_start_token_id\"", "\"dense_act_fn\"", "\"eos_token_id\"", "\"feed_forward_proj\"",
            "\"gated\"", "\"gelu\"", "\"gelu_new\"", "\"hidden_act\"", "\"hidden_size\"", "\"intermediate_size\"",
            "\"is_gated_act\"", "\"layer_norm_epsilon\"", "\"llama\"", "\"t5\"", "\"max_position_embeddings\"",
            "\"model_type\"", "\"num_attention_heads\"", "\"num_decoder_layers\"", "\"num_heads\"",
            "\"num_hidden_layers\"", "\"num_key_value_heads\"", "\"num_layers\"", "\"pad_token_id\"",
            "\"pretraining_tp\"", "\"relative_attention_max_distance\"", "\"relative_attention_num_buckets\"",
            "\"relu\"", "\"rms_norm_eps\"", "\"rope_scaling\"", "\"rope_theta\"", "\"silu\"",
            "\"tie_word_embeddings\"", "\"vocab_size\"", "\"weight_map\"", "-"})
    @FuzzTest(maxDuration = "10m")
    void configJson(byte[] data) {
        Path dir = FuzzFiles.scratch("config");
        Path config = FuzzFiles.write(dir, "config.json", data);
        FuzzFiles.expectCleanOutcome(dir, () -> HfModelDir.open(dir).modelType());
        FuzzFiles.expectCleanOutcome(dir, () -> LlamaConfig.read(config));
        FuzzFiles.expectCleanOutcome(dir, () -> T5Config.read(config));
        Path index = FuzzFiles.write(dir, "model.safetensors.index.json", data);
        FuzzFiles.expectCleanOutcome(dir, () -> ShardedSafetensors.open(index));
    }
}
