package io.kif4j.continual;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kif4j.transformer.testing.FuzzFiles;

import java.nio.file.Path;

/**
 * Fuzzes {@link RunConfigs#read}: the input after its first byte is written as {@code run.json} or, when that byte
 * is odd, {@code run.yaml}. Seeds: {@code src/test/resources/io/kif4j/continual/RunConfigFuzzTestInputs/}.
 */
class RunConfigFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void runConfig(byte[] data) {
        byte[][] parts = FuzzFiles.split(data, 2);
        Path dir = FuzzFiles.scratch("runconfig");
        boolean yaml = parts[0].length > 0 && (parts[0][0] & 1) == 1;
        Path file = FuzzFiles.write(dir, yaml ? "run.yaml" : "run.json", parts[1]);
        FuzzFiles.expectCleanOutcome(dir, () -> RunConfigs.read(file));
    }
}
