package io.kif4j.continual;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.common.Json;
import io.kif4j.weights.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** seqft, mtl and single on RunnerTest's tiny two-task run: what each trains, scores and writes. */
class ReferenceMethodsTest {

    @TempDir
    Path tmp;

    @Test
    void seqftTrainsTheBaseWeightsAndResumesFromThem() throws Exception {
        Path whole = tmp.resolve("whole");
        RunnerTest.run(RunnerTest.tiny("seqft"), whole);
        JsonNode m = Json.read(whole.resolve("metrics.json"));
        assertTrue(m.get("bwt").isNumber() && m.get("fwt").isNumber(), "a sequential row");
        assertFalse(m.has("reference"));
        SafetensorsFile pretrained = SafetensorsFile.open(io.kif4j.transformer.testing.Fixture.shared()
                .resolve("weights/stories260K-hf/model.safetensors"));
        SafetensorsFile after1 = SafetensorsFile.open(whole.resolve("tasks/01-dbpedia/weights.safetensors"));
        SafetensorsFile after2 = SafetensorsFile.open(whole.resolve("tasks/02-agnews/weights.safetensors"));
        for (String w : pretrained.names()) {
            assertFalse(pretrained.load(w).equalsWithEps(after1.load(w), 1e-7), w + " trained on task 1");
            assertFalse(after1.load(w).equalsWithEps(after2.load(w), 1e-7), w + " trained on task 2");
        }
        // killed during task 2: resuming restores task 1's weights, so the numbers are an uninterrupted run's
        Path cut = tmp.resolve("cut");
        RunnerTest.run(RunnerTest.tiny("seqft"), cut);
        Files.delete(cut.resolve("tasks/02-agnews/done.json"));
        RunnerTest.run(RunnerTest.tiny("seqft"), cut);
        assertEquals(m.get("matrix"), Json.read(cut.resolve("metrics.json")).get("matrix"));
    }

    @Test
    void mtlTrainsOnceOnEveryTaskAndHasAnApOnly() {
        Path out = tmp.resolve("mtl");
        JsonNode m = runMetrics("mtl", out);
        assertEquals("joint", m.get("reference").asText());
        assertTrue(m.get("matrix").get(0).get(0).isNull() && m.get("matrix").get(0).get(1).isNull(), "no row after task 1");
        double ap = (m.get("matrix").get(1).get(0).asDouble() + m.get("matrix").get(1).get(1).asDouble()) / 2;
        assertEquals(ap, m.get("ap").asDouble(), 1e-9);
        assertTrue(m.get("fwt").isNull() && m.get("bwt").isNull());
        assertFalse(Files.exists(out.resolve("tasks/01-dbpedia")), "one training, at the last task");
        // 8 + 8 examples in batches of 4, one epoch: 4 steps on the union
        assertEquals(1 + 4, lines(out.resolve("tasks/02-agnews/train_loss.csv")));
    }

    @Test
    void singleScoresEachFreshAdapterOnItsOwnTaskOnly() {
        JsonNode m = runMetrics("single", tmp.resolve("single"));
        assertEquals("single", m.get("reference").asText());
        JsonNode a = m.get("matrix");
        assertTrue(a.get(0).get(1).isNull() && a.get(1).get(0).isNull(), "off-diagonal cells are not scored");
        assertEquals((a.get(0).get(0).asDouble() + a.get(1).get(1).asDouble()) / 2, m.get("ap").asDouble(), 1e-9);
        assertTrue(m.get("bwt").isNull());
    }

    /** A tiny run of {@code method} into {@code out}; its metrics.json. */
    private static JsonNode runMetrics(String method, Path out) {
        RunnerTest.run(RunnerTest.tiny(method), out);
        return Json.read(out.resolve("metrics.json"));
    }

    private static long lines(Path p) {
        try (var s = Files.lines(p)) {
            return s.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
