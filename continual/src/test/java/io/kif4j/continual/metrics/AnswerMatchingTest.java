package io.kif4j.continual.metrics;

import io.kif4j.datasets.Benchmarks;
import io.kif4j.datasets.TaskInfo;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

class AnswerMatchingTest {

    static final double EPS = 1e-12;

    @Test
    void kifMatchingLowerCasesStripsAndDropsSpecialTokens() {
        Accuracy acc = new Accuracy();
        assertEquals(1.0, acc.score("  Positive</s><pad>\n", "positive"), EPS);
        assertEquals(1.0, acc.score("\u00a0Science or Technology ", "science or technology"), EPS);
        assertEquals(0.0, acc.score("positive.", "positive"), EPS); // KIF keeps punctuation
        assertEquals(0.0, acc.score("very positive", "positive"), EPS); // no label projection
    }

    @Test
    void oloraNormalizationAlsoDropsPunctuationAndCollapsesSpaces() {
        Accuracy acc = new Accuracy(AnswerNormalization.OLORA);
        assertEquals(1.0, acc.score("positive.", "Positive"), EPS);
        assertEquals(1.0, acc.score("Science  or\tTechnology!", "science or technology"), EPS);
        assertEquals("its a test", AnswerNormalization.OLORA.apply(" It's a   test. </s>"));
    }

    @Test
    void task363QuirkMapsPosAndNegToSingleLetters() {
        ScoringOptions quirk = new ScoringOptions(AnswerNormalization.KIF, true);
        TaskScore withQuirk = TaskScore.of("task363_sst2_polarity_classification", "accuracy",
                List.of("POS", "neg", "pos"), List.of("P", "N", "N"), quirk);
        assertEquals(100.0 * 2 / 3, withQuirk.score(), EPS);
        TaskScore without = TaskScore.of("task363_sst2_polarity_classification", "accuracy",
                List.of("POS", "neg", "pos"), List.of("P", "N", "N"), ScoringOptions.kif());
        assertEquals(0.0, without.score(), EPS);
        assertEquals("pos", quirk.adjustPrediction("task875", "pos"));
    }

    @Test
    void taskScoreIsAPercentageMean() {
        TaskScore s = TaskScore.of("t", "rougeL", List.of("running", "", "the cat"), List.of("runs", "x", "the dog"),
                ScoringOptions.kif());
        assertEquals(100.0 * (1.0 + 0.0 + 0.5) / 3, s.score(), EPS);
        assertEquals(3, s.examples());
        assertThrows(IllegalArgumentException.class, () -> ScoringOptions.kif().metric("bleu"));
    }

    @Test
    void metricPerTaskFollowsSpec14() {
        Path data = sharedData();
        TaskMetrics table = TaskMetrics.builtIn();
        for (String name : Benchmarks.longSequence(data).taskNames()) {
            assertEquals("accuracy", table.metricFor(Benchmarks.longSequence(data).task(name).info()), name);
        }
        var superNi = Benchmarks.superNi(data);
        int accuracy = 0;
        for (String name : superNi.taskNames()) {
            String m = table.metricFor(superNi.task(name).info());
            if (m.equals("accuracy")) {
                accuracy++;
                String id = name.substring(0, name.indexOf('_'));
                assertEquals(true, List.of("task363", "task875", "task1687").contains(id), name);
            } else {
                assertEquals("rougeL", m, name);
            }
        }
        assertEquals(3, accuracy);
        assertEquals("accuracy", table.metricFor(null, "task875"));
        assertEquals("rougeL", table.metricFor(null, "task1290_xsum_summarization"));
        assertEquals("accuracy", table.metricFor(null, "something_else"));
    }

    @Test
    void taskJsonMetricOverridesTheTable() {
        TaskInfo own = new TaskInfo(Path.of("x"), "task363_sst2_polarity_classification", "superni", null, "x",
                List.of(), Map.of(), Map.of(), null, null, "rougeL", List.of());
        assertEquals("rougeL", TaskMetrics.builtIn().metricFor(own));
    }

    static Path sharedData() {
        String prop = System.getProperty("kif.shared");
        Path shared = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
        if (!Files.isDirectory(shared.resolve("data"))) {
            fail("shared reference data not found at " + shared.toAbsolutePath() + "; set -Dkif.shared");
        }
        return shared.resolve("data");
    }
}
