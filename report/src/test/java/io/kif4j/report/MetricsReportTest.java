package io.kif4j.report;

import io.kif4j.common.KifInputException;
import io.kif4j.continual.metrics.ScoringOptions;
import io.kif4j.continual.metrics.TaskScore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsReportTest {

    static final double EPS = 1e-9;

    @TempDir
    Path dir;

    Path file(String text) throws IOException {
        Path f = dir.resolve("predictions.jsonl");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void perTaskScoresAndTheirMean() throws IOException {
        Path f = file("""
                {"prediction": "Positive</s>", "reference": "positive", "task": "sst2"}
                {"prediction": "negative", "reference": "positive", "task": "sst2"}
                {"prediction": "running", "reference": "runs", "task": "task1290_xsum_summarization"}
                {"prediction": "", "reference": "anything", "task": "task1290_xsum_summarization", "metric": "rougeL"}
                """);
        MetricsReport r = MetricsReport.of(f, ScoringOptions.kif());
        assertEquals(2, r.tasks().size());
        assertEquals(new TaskScore("sst2", "accuracy", 2, 50.0), r.tasks().get(0));
        assertEquals(new TaskScore("task1290_xsum_summarization", "rougeL", 2, 50.0), r.tasks().get(1));
        assertEquals(50.0, r.overall(), EPS);
        assertTrue(r.toJson().contains("\"overall\":50.0"), r.toJson());
    }

    @Test
    void recordsWithoutTaskFormOneGroup() throws IOException {
        MetricsReport r = MetricsReport.of(file("{\"prediction\": \"a\", \"reference\": \"a\"}\n"), ScoringOptions.kif());
        assertEquals(MetricsReport.NO_TASK, r.tasks().get(0).task());
        assertEquals(100.0, r.overall(), EPS);
    }

    @Test
    void badLinesNameFileLineAndField() throws IOException {
        Path missing = file("{\"prediction\": \"a\", \"reference\": \"a\"}\n{\"prediction\": \"a\"}\n");
        KifInputException e = assertThrows(KifInputException.class, () -> MetricsReport.of(missing, ScoringOptions.kif()));
        assertTrue(e.getMessage().contains("predictions.jsonl: line 2: missing field \"reference\""), e.getMessage());
        Path badMetric = file("{\"prediction\": \"a\", \"reference\": \"a\", \"metric\": \"bleu\"}\n");
        e = assertThrows(KifInputException.class, () -> MetricsReport.of(badMetric, ScoringOptions.kif()));
        assertTrue(e.getMessage().contains("line 1: field \"metric\""), e.getMessage());
        Path mixed = file("{\"prediction\": \"a\", \"reference\": \"a\", \"task\": \"t\", \"metric\": \"accuracy\"}\n"
                + "{\"prediction\": \"a\", \"reference\": \"a\", \"task\": \"t\", \"metric\": \"rougeL\"}\n");
        e = assertThrows(KifInputException.class, () -> MetricsReport.of(mixed, ScoringOptions.kif()));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("one metric"), e.getMessage());
        Path empty = file("");
        e = assertThrows(KifInputException.class, () -> MetricsReport.of(empty, ScoringOptions.kif()));
        assertTrue(e.getMessage().contains("no predictions"), e.getMessage());
    }
}
