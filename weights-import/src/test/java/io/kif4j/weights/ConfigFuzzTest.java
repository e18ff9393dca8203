package io.kif4j.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kif4j.weights.safetensors.ShardedSafetensors;

import java.nio.file.Path;

/**
 * Fuzzes the JSON files of a model directory: the input is written as {@code config.json} and read as a model
 * directory, a LLaMA config and a T5 config, and as {@code model.safetensors.index.json} (the shard index, whose
 * shards are absent or named by the fuzzer). Seeds: {@code src/test/resources/io/kif4j/weights/ConfigFuzzTestInputs/}.
 */
class ConfigFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void configJson(byte[] data) {
        Path dir = FuzzSupport.scratch("config");
        Path config = FuzzSupport.write(dir.resolve("config.json"), data);
        FuzzSupport.expectCleanOutcome(dir, () -> HfModelDir.open(dir).modelType());
        FuzzSupport.expectCleanOutcome(dir, () -> LlamaConfig.read(config));
        FuzzSupport.expectCleanOutcome(dir, () -> T5Config.read(config));
        Path index = FuzzSupport.write(dir.resolve("model.safetensors.index.json"), data);
        FuzzSupport.expectCleanOutcome(dir, () -> ShardedSafetensors.open(index));
    }
}
