package io.kif4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsCommandTest {

    static final double EPS = 1e-9;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    /** Through the whole CLI, as `./kif metrics ...`. */
    Run run(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "metrics";
        System.arraycopy(args, 0, full, 1, args.length);
        CliTest.Run r = CliTest.run(full);
        return new Run(r.exit(), r.out(), r.err());
    }

    Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("predictions.jsonl"), text);
    }

    @Test
    void rougeLWithStemmingAndEmptyTextsAsJson() throws IOException {
        Path f = file("""
                {"prediction": "running", "reference": "runs", "metric": "rougeL", "task": "stem"}
                {"prediction": "", "reference": "the cat", "metric": "rougeL", "task": "empty"}
                {"prediction": "the cat", "reference": "", "metric": "rougeL", "task": "empty"}
                {"prediction": "Positive</s>", "reference": "positive", "task": "sst2"}
                """);
        Run r = run("--predictions", f.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals("stem", json.get("tasks").get(0).get("task").asText());
        assertEquals(100.0, json.get("tasks").get(0).get("score").asDouble(), EPS);
        assertEquals(0.0, json.get("tasks").get(1).get("score").asDouble(), EPS);
        assertEquals(2, json.get("tasks").get(1).get("examples").asInt());
        assertEquals("accuracy", json.get("tasks").get(2).get("metric").asText());
        assertEquals(100.0, json.get("tasks").get(2).get("score").asDouble(), EPS);
        assertEquals(200.0 / 3, json.get("overall").asDouble(), EPS);
        assertEquals(1, r.out().strip().lines().count(), "one JSON object");
    }

    @Test
    void textTableByDefault() throws IOException {
        Path f = file("{\"prediction\": \"running\", \"reference\": \"runs\", \"metric\": \"rougeL\", \"task\": \"stem\"}\n"
                + "{\"prediction\": \"a\", \"reference\": \"b\", \"task\": \"cls\"}\n");
        Run r = run("--predictions", f.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("""
                task     metric    examples    score
                stem     rougeL           1   100.00
                cls      accuracy         1     0.00
                overall  mean             2    50.00
                """, r.out());
    }

    @Test
    void oloraNormalizationFlag() throws IOException {
        Path f = file("{\"prediction\": \"positive.\", \"reference\": \"Positive\"}\n");
        assertTrue(run("--predictions", f.toString()).out().contains("0.00"));
        assertTrue(run("--predictions", f.toString(), "--olora-normalization").out().contains("100.00"));
    }

    @Test
    void badInputIsOneLineWithoutStackTrace() throws IOException {
        Path f = file("{\"prediction\": \"a\", \"reference\": \"a\"}\n{\"prediction\": 3, \"reference\": \"a\"}\n");
        Run r = run("--predictions", f.toString());
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("kif: error: ") && r.err().contains("predictions.jsonl: line 2: field \"prediction\""), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());

        Run missing = run("--predictions", dir.resolve("nope.jsonl").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.jsonl: file not found"), missing.err());
    }

    @Test
    void predictionsOptionIsRequired() {
        Run r = run();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--predictions"), r.err());
    }
}
