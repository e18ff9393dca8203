package io.kif4j.datasets;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kif4j.common.testing.FuzzFiles;

import java.nio.file.Path;

/**
 * Fuzzes a benchmark folder: the input is split ({@link FuzzFiles#split}) into {@code task.json},
 * {@code train.jsonl} and {@code orders.json} of a one-task benchmark, which is opened and whose train split is
 * loaded, as a run does. Seeds: {@code src/test/resources/io/kif4j/datasets/DatasetFuzzTestInputs/}.
 */
class DatasetFuzzTest {

    // The keys the parser looks up: JsonNode.get is a hash lookup the fuzzer cannot observe, so it needs them.
    @DictionaryEntries({
            "\"benchmark\"", "\"count\"", "\"dataset\"", "\"definition\"", "\"family\"", "\"id\"", "\"ids\"",
            "\"input\"", "\"instruction\"", "\"labels\"", "\"metric\"", "\"notes\"", "\"olora_family\"",
            "\"olora_path\"", "\"orders\"", "\"output\"", "\"references\"", "\"split\"", "\"splits\"", "\"subsets\"",
            "\"task\"", "\"train\"", "\"dev\"", "\"test\"", "\"t1\"", "\"bench\""})
    @FuzzTest(maxDuration = "10m")
    void benchmarkFolder(byte[] data) {
        byte[][] parts = FuzzFiles.split(data, 3);
        Path dir = FuzzFiles.scratch("benchmark");
        FuzzFiles.write(dir, "bench/t1/" + TaskInfo.FILE_NAME, parts[0]);
        FuzzFiles.write(dir, "bench/t1/" + Split.TRAIN.fileName(), parts[1]);
        Path orders = FuzzFiles.write(dir, "orders.json", parts[2]);
        FuzzFiles.expectCleanOutcome(dir, () -> {
            FolderBenchmark b = FolderBenchmark.open(dir.resolve("bench"), orders);
            for (String task : b.taskNames()) {
                b.task(task).load(Split.TRAIN);
            }
        });
    }
}
