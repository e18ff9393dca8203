package io.kif4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.common.Json;
import io.kif4j.weights.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash safety: `kif run` is killed (halted as by kill -9) at points during training, evaluation and atomic writes,
 * then resumed; the final metrics must equal an uninterrupted run's and no file may be corrupt.
 * scripts/kill-resume.sh does the same with random-time kills on a real ./kif.
 */
class KillResumeTest {

    @TempDir
    Path tmp;

    /** write:23 is the run's last atomic write (metrics.json is written once at the end since the run store). */
    static final String[] POINTS = {"train-step:1", "train-step:3", "eval:1", "eval:2", "eval:4",
            "write:1", "write:4", "write:8", "write:13", "write:19", "write:23"};

    private Path config() throws Exception {
        Path c = tmp.resolve("tiny.json");
        Files.writeString(c, "{\"method\":\"seqlora\",\"tasks\":[\"dbpedia\",\"agnews\"],\"train_per_task\":4,"
                + "\"test_per_task\":3,\"class_balanced\":false,\"epochs\":1,\"batch\":2,\"max_source_length\":40,"
                + "\"max_target_length\":6,\"eval_batch\":16,\"seed\":5}");
        return c;
    }

    private int kif(Path out, String crashAt, boolean resume) throws Exception {
        return kifProcess(config(), out, tmp.resolve("log-" + out.getFileName() + ".txt"), crashAt, resume);
    }

    /** `kif run` in a JVM of its own, halted at {@code crashAt} (null: never); returns its exit code. */
    static int kifProcess(Path config, Path out, Path log, String crashAt, boolean resume) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Djava.awt.headless=true", "-Dkif.shared=" + Defaults.shared(), // as this JVM sees it
                "-cp", System.getProperty("java.class.path"), Kif.class.getName(),
                "run", "--config", config.toString(), "--out", out.toString()));
        if (resume) {
            cmd.add("--resume");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("KIF_CRASH_AT");
        if (crashAt != null) {
            pb.environment().put("KIF_CRASH_AT", crashAt);
        }
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("kif run did not finish");
        }
        return p.exitValue();
    }

    @Test
    void killedAtTrainingEvaluationAndWritePointsThenResumedEqualsAnUninterruptedRun() throws Exception {
        Path reference = tmp.resolve("reference");
        assertEquals(0, kif(reference, null, false), log(reference));
        JsonNode expected = Json.read(reference.resolve("metrics.json")).get("matrix");
        int survived = 0;
        for (int i = 0; i < POINTS.length; i++) {
            Path out = tmp.resolve("killed-" + i);
            int exit = kif(out, POINTS[i], false);
            assertEquals(137, exit, POINTS[i] + " should have halted the run: " + log(out));
            assertEquals(0, kif(out, null, true), POINTS[i] + " resume: " + log(out));
            assertEquals(expected, Json.read(out.resolve("metrics.json")).get("matrix"), "after a kill at " + POINTS[i]);
            assertNothingCorrupt(out);
            survived++;
        }
        assertEquals(POINTS.length, survived);
    }

    private String log(Path out) throws Exception {
        Path l = tmp.resolve("log-" + out.getFileName() + ".txt");
        return Files.isRegularFile(l) ? Files.readString(l) : "";
    }

    static void assertNothingCorrupt(Path run) throws Exception {
        try (Stream<Path> files = Files.walk(run)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                assertFalse(name.endsWith(".tmp"), "leftover temp file " + f);
                if (name.endsWith(".json")) {
                    Json.read(f);
                } else if (name.endsWith(".safetensors")) {
                    SafetensorsFile s = SafetensorsFile.open(f);
                    for (String t : s.names()) {
                        s.load(t);
                    }
                } else if (name.endsWith(".jsonl")) {
                    for (String line : Files.readAllLines(f)) {
                        Json.MAPPER.readTree(line);
                    }
                }
            }
        }
        assertTrue(Files.isRegularFile(run.resolve("report.html")));
    }
}
