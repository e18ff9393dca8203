package io.kif4j.transformer.io;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kif4j.common.testing.FuzzFiles;

import java.nio.file.Path;

/**
 * Fuzzes the CLI's {@code --inputs} reader: the input is written as {@code inputs.json} and read.
 * Seeds: {@code src/test/resources/io/kif4j/transformer/io/InputsJsonFuzzTestInputs/}.
 */
class InputsJsonFuzzTest {

    // The keys the parser looks up: JsonNode.get is a hash lookup the fuzzer cannot observe, so it needs them.
    @DictionaryEntries({
            "\"attention_mask\"", "\"decoder_input_ids\"", "\"generation\"", "\"input_ids\"", "\"labels\"",
            "\"max_new_tokens\"", "\"position_ids\"", "\"position_ids_prompt\""})
    @FuzzTest(maxDuration = "10m")
    void inputsJson(byte[] data) {
        Path dir = FuzzFiles.scratch("inputs");
        Path file = FuzzFiles.write(dir, "inputs.json", data);
        FuzzFiles.expectCleanOutcome(dir, () -> InputsJson.read(file));
    }
}
