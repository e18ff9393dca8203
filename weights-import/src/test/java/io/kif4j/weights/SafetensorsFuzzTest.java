package io.kif4j.weights;

import io.kif4j.common.testing.FuzzFiles;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kif4j.weights.safetensors.SafetensorsFile;

import java.nio.file.Path;

/**
 * Fuzzes the safetensors reader: the input is written as {@code model.safetensors} and opened and loaded tensor by
 * tensor, as a checkpoint is. Seeds: {@code src/test/resources/io/kif4j/weights/SafetensorsFuzzTestInputs/}.
 * Plain {@code mvn verify} runs only the seeds; docs/RELIABILITY.md tells how to fuzz.
 */
class SafetensorsFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void safetensorsFile(byte[] data) {
        Path dir = FuzzFiles.scratch("safetensors");
        Path file = FuzzFiles.write(dir, "model.safetensors", data);
        FuzzFiles.expectCleanOutcome(dir, () -> {
            SafetensorsFile f = SafetensorsFile.open(file);
            for (String name : f.names()) {
                f.load(name);
            }
        });
    }
}
