package io.kif4j.cli;

import io.kif4j.common.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Kill-and-resume for every method that carries state from task to task (KIF's and KIFLoRA's cumulative scores,
 * EWC's Fisher and anchor, O-LoRA's grown pairs, Recurrent-KIF's memory and rounds): a run halted as by kill -9 at
 * the first optimizer step of task 2 and resumed gives the uninterrupted run's accuracy matrix, final adapter and
 * unit scores, bit for bit. KillResumeTest covers every crash point for seqlora.
 */
class MethodKillResumeTest {

    @TempDir
    Path tmp;

    private Path config(String method) throws Exception {
        Path c = tmp.resolve(method + ".json");
        Files.writeString(c, "{\"method\":\"" + method + "\",\"tasks\":[\"dbpedia\",\"agnews\"],\"train_per_task\":4,"
                + "\"test_per_task\":3,\"class_balanced\":false,\"epochs\":1,\"batch\":2,\"max_source_length\":40,"
                + "\"max_target_length\":6,\"eval_batch\":16,\"seed\":5,\"memory_ratio\":0.5,"
                + "\"rkif_inner_steps\":1,\"rkif_outer_steps\":1}");
        return c;
    }

    /** The reference and the resume run in this JVM; only the killed run needs a process of its own. */
    private void inProcess(String method, Path out, boolean resume) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--config", config(method).toString(), "--out", out.toString()));
        if (resume) {
            args.add("--resume");
        }
        StringWriter err = new StringWriter();
        int exit;
        synchronized (CliTest.class) {
            exit = Kif.execute(new PrintWriter(err, true), args.toArray(String[]::new));
        }
        assertEquals(0, exit, method + ": " + err);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kif", "kiflora", "ewc", "recurrent-kif", "olora"})
    void killedInTheSecondTaskThenResumedEqualsAnUninterruptedRun(String method) throws Exception {
        Path reference = tmp.resolve(method + "-reference");
        inProcess(method, reference, false);
        Path out = tmp.resolve(method + "-killed");
        assertEquals(137, KillResumeTest.kifProcess(config(method), out, tmp.resolve("log-" + method + ".txt"),
                        "train-step:3", false),
                "the kill point lies in task 2: " + Files.readString(tmp.resolve("log-" + method + ".txt")));
        assertEquals(List.of("01-dbpedia"), doneTasks(out), "task 1 was complete when the run died");
        inProcess(method, out, true);
        assertEquals(Json.read(reference.resolve("metrics.json")).get("matrix"),
                Json.read(out.resolve("metrics.json")).get("matrix"), method);
        for (String file : new String[]{"adapter/adapter_model.safetensors", "unit_scores.csv", "train_loss.csv"}) {
            Path want = reference.resolve("tasks/02-agnews").resolve(file);
            if (Files.exists(want)) {
                assertArrayEquals(Files.readAllBytes(want), Files.readAllBytes(out.resolve("tasks/02-agnews").resolve(file)),
                        method + ": " + file);
            }
        }
        KillResumeTest.assertNothingCorrupt(out);
    }

    private static List<String> doneTasks(Path run) throws Exception {
        try (var dirs = Files.list(run.resolve("tasks"))) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("done.json")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
        }
    }
}
