package io.kif4j.continual;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tiny two-task run on the real stories260K model: outputs, the spec's formulas, and resume. */
class RunnerTest {

    @TempDir
    Path tmp;

    static RunConfig tiny(String method) {
        // 8 training and 6 test examples per task, batch 4, prompts <= 48 and targets <= 8 tokens, seed 7
        return TinyRuns.twoTasks(method, 8, 6, 4, 48, 8, 7L);
    }

    static ContinualRunner.Result run(RunConfig c, Path out) {
        List<String> console = new ArrayList<>();
        return new ContinualRunner(c, Fixture.shared(), console::add).run(out);
    }

    @Test
    void twoTaskRunWritesEverythingAndItsMetricsFollowTheSpec() throws Exception {
        Path out = tmp.resolve("run");
        List<Path> reported = new ArrayList<>();
        List<String> console = new ArrayList<>();
        new ContinualRunner(tiny("seqlora"), Fixture.shared(), console::add).withReporter(dir -> {
            assertTrue(Json.read(dir.resolve("metrics.json")).get("timings").has("total_s"), "reported after the final metrics");
            reported.add(dir);
            return dir.resolve("my-report.html");
        }).run(out);
        assertEquals(List.of(out), reported, "the reporter is called once, with the run folder");
        assertTrue(console.contains("report: " + out.resolve("my-report.html")), String.join("\n", console));
        assertFalse(Files.exists(out.resolve("report.html")), "continual writes no report of its own");
        JsonNode m = Json.read(out.resolve("metrics.json"));
        double[][] a = Json.MAPPER.convertValue(m.get("matrix"), double[][].class);
        assertEquals(2, a.length);
        // spec §1.3: AP = mean of the last row, FWT = mean of a[i-1][i], BWT = mean over i < T of a[T][i] − a[i][i]
        assertEquals((a[1][0] + a[1][1]) / 2, m.get("ap").asDouble(), 1e-9);
        assertEquals(a[0][1], m.get("fwt").asDouble(), 1e-9);
        assertEquals(a[1][0] - a[0][0], m.get("bwt").asDouble(), 1e-9);
        for (String f : new String[]{"config.json", "matrix.csv", "matrix.md",
                "tasks/01-dbpedia/adapter/adapter_model.safetensors", "tasks/01-dbpedia/adapter/adapter_config.json",
                "tasks/01-dbpedia/train_loss.csv", "tasks/01-dbpedia/predictions/dbpedia.jsonl",
                "tasks/01-dbpedia/predictions/agnews.jsonl", "tasks/02-agnews/done.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(6, Files.readAllLines(out.resolve("tasks/02-agnews/predictions/dbpedia.jsonl")).size());
        // per task: where its time went (no durations asserted, only that the phases add up to the task's total)
        JsonNode phases = m.get("timings").get("per_task");
        assertEquals(2, phases.size());
        for (int t = 0; t < 2; t++) {
            JsonNode p = phases.get(t);
            double parts = p.get("train_s").asDouble() + p.get("fuse_s").asDouble() + p.get("eval_s").asDouble()
                    + p.get("write_s").asDouble();
            assertTrue(p.get("train_s").asDouble() > 0 && p.get("eval_s").asDouble() > 0, p.toString());
            assertTrue(parts <= p.get("total_s").asDouble() + 1e-6, p.toString());
            assertTrue(parts >= 0.5 * p.get("total_s").asDouble(), p.toString());
        }
        assertTrue(Json.read(out.resolve("tasks/02-agnews/done.json")).get("timing").has("eval_s"));
        JsonNode config = Json.read(out.resolve("config.json"));
        assertEquals(7, config.get("seed").asInt());
        assertTrue(config.has("git_commit"));
        try (Stream<Path> files = Files.walk(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
    }

    @Test
    void resumingAfterAnInterruptionGivesTheSameMetrics() throws Exception {
        Path whole = tmp.resolve("whole");
        run(tiny("seqlora"), whole);
        Path cut = tmp.resolve("cut");
        run(tiny("seqlora"), cut);
        // as if killed during task 2: its folder is half-written and not marked done
        Files.delete(cut.resolve("tasks/02-agnews/done.json"));
        Files.writeString(cut.resolve("tasks/02-agnews/train_loss.csv"), "step,loss\n1,");
        run(tiny("seqlora"), cut);
        assertEquals(Json.read(whole.resolve("metrics.json")).get("matrix"), Json.read(cut.resolve("metrics.json")).get("matrix"));
        assertEquals(Files.readString(whole.resolve("tasks/02-agnews/train_loss.csv")),
                Files.readString(cut.resolve("tasks/02-agnews/train_loss.csv")));
    }

    @Test
    void resumingWithOtherSettingsIsRefused() {
        Path out = tmp.resolve("run");
        RunConfig c = tiny("seqlora");
        c.tasks = List.of("dbpedia");
        run(c, out);
        RunConfig other = tiny("seqlora");
        other.tasks = List.of("dbpedia");
        other.lr = 1e-3;
        var e = assertThrows(io.kif4j.common.KifInputException.class, () -> run(other, out));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }
}
