package io.kif4j.continual;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kif4j.common.testing.FuzzFiles;

import java.nio.file.Path;

/**
 * Fuzzes {@link RunConfigs#read}: the input after its first byte is written as {@code run.json} or, when that byte
 * is odd, {@code run.yaml}. Seeds: {@code src/test/resources/io/kif4j/continual/RunConfigFuzzTestInputs/}.
 */
class RunConfigFuzzTest {

    // The keys the parser looks up: JsonNode.get is a hash lookup the fuzzer cannot observe, so it needs them.
    @DictionaryEntries({
            "\"model\"", "\"data_root\"", "\"benchmark\"", "\"order\"", "\"tasks\"", "\"method\"",
            "\"train_per_task\"", "\"test_per_task\"", "\"validation_per_task\"", "\"class_balanced\"", "\"epochs\"",
            "\"lr\"", "\"batch\"", "\"warmup_ratio\"", "\"weight_decay\"", "\"grad_accumulation\"", "\"lora_r\"",
            "\"lora_alpha\"", "\"lora_dropout\"", "\"target\"", "\"template\"", "\"max_source_length\"",
            "\"max_target_length\"", "\"eval\"", "\"max_new_tokens\"", "\"eval_batch\"", "\"seed\"", "\"out\"",
            "\"tau\"", "\"gamma\"", "\"quantile\"", "\"cumulative_beta\"", "\"fusion_space\"", "\"importance\"",
            "\"orth_coefficient\"", "\"memory_ratio\"", "\"memory_class_balanced\"", "\"replay_epochs\"", "null",
            "~"})
    @FuzzTest(maxDuration = "10m")
    void runConfig(byte[] data) {
        byte[][] parts = FuzzFiles.split(data, 2);
        Path dir = FuzzFiles.scratch("runconfig");
        boolean yaml = parts[0].length > 0 && (parts[0][0] & 1) == 1;
        Path file = FuzzFiles.write(dir, yaml ? "run.yaml" : "run.json", parts[1]);
        FuzzFiles.expectCleanOutcome(dir, () -> RunConfigs.read(file));
    }
}
