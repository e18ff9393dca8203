package io.kif4j.datasets;

import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayMemoryTest {

    static FolderBenchmark longSeq;

    @BeforeAll
    static void open() {
        longSeq = Benchmarks.longSequence(SharedData.data());
    }

    static final java.util.Map<String, List<Example>> TRAIN = new java.util.HashMap<>();

    static List<Example> train(String task) {
        return TRAIN.computeIfAbsent(task, t -> Protocol.kif().withValidationSize(0).apply(longSeq.task(t)).train());
    }

    @Test
    void twoPercentPerTaskAtLeastOne() {
        ReplayMemory m = new ReplayMemory(ReplayMemory.Config.defaults());
        assertEquals(20, m.sampleSize(1000));
        assertEquals(5, m.sampleSize(250));
        assertEquals(8, m.sampleSize(400));
        assertEquals(1, m.sampleSize(10));
        assertEquals(7, new ReplayMemory(new ReplayMemory.Config(0.07, ReplayMemory.Mode.UNIFORM, 1)).sampleSize(100));
        assertEquals(20, m.add("dbpedia", train("dbpedia"), List.of()).size());
        assertEquals(5, m.add("cb", train("cb"), List.of()).size());
        assertEquals(25, m.size());
        assertEquals(List.of("dbpedia", "cb"), m.tasks());
    }

    @Test
    void sameSeedSameMemoryWhateverTheTaskOrder() {
        ReplayMemory a = new ReplayMemory(ReplayMemory.Config.defaults());
        a.add("yelp", train("yelp"), List.of());
        a.add("cb", train("cb"), List.of());
        ReplayMemory b = new ReplayMemory(ReplayMemory.Config.defaults());
        b.add("cb", train("cb"), List.of());
        b.add("yelp", train("yelp"), List.of());
        assertEquals(a.examplesOf("yelp"), b.examplesOf("yelp"));
        assertEquals(a.examplesOf("cb"), b.examplesOf("cb"));
        ReplayMemory c = new ReplayMemory(new ReplayMemory.Config(0.02, ReplayMemory.Mode.UNIFORM, 43));
        c.add("yelp", train("yelp"), List.of());
        assertNotEquals(a.examplesOf("yelp"), c.examplesOf("yelp"));
    }

    @Test
    void classBalancedSamplingCoversEveryLabel() {
        ReplayMemory m = new ReplayMemory(new ReplayMemory.Config(0.02, ReplayMemory.Mode.CLASS_BALANCED, 42));
        for (String task : List.of("dbpedia", "yahoo", "yelp", "cb", "copa", "mnli")) {
            TaskInfo info = longSeq.task(task).info();
            List<Example> sample = m.add(task, train(task), info.labels());
            assertEquals(new HashSet<>(info.labels()), sample.stream().map(Example::output).collect(Collectors.toSet()), task);
            assertEquals(m.sampleSize(train(task).size()), sample.size(), task);
        }
        // RKIF's rule: max(1, n / labels) per label, so 3 examples of 5 labels still give one of each.
        List<Example> tiny = IntStream.range(0, 150).mapToObj(i -> new Example("x" + i, "in", "l" + (i % 5))).toList();
        List<Example> sample = new ReplayMemory(new ReplayMemory.Config(0.02, ReplayMemory.Mode.CLASS_BALANCED, 42))
                .add("tiny", tiny, List.of("l0", "l1", "l2", "l3", "l4"));
        assertEquals(5, sample.stream().map(Example::output).distinct().count());
    }

    @Test
    void memorySurvivesAJsonRoundTrip(@TempDir Path dir) {
        ReplayMemory m = new ReplayMemory(new ReplayMemory.Config(0.05, ReplayMemory.Mode.CLASS_BALANCED, 9));
        m.add("cb", train("cb"), longSeq.task("cb").info().labels());
        m.add("ref", List.of(new Example("r1", "in", "a", List.of("a", "b"))), List.of());
        Path file = dir.resolve("memory.json");
        m.save(file);
        ReplayMemory back = ReplayMemory.load(file);
        assertEquals(m.config(), back.config());
        assertEquals(m.entries(), back.entries());
        assertEquals(m.toJson(), back.toJson());
        assertEquals(List.of("a", "b"), back.examplesOf("ref").get(0).references());
        assertEquals(m.entriesBefore("ref"), back.entries().subList(0, m.examplesOf("cb").size()));
    }

    @Test
    void aCorruptMemoryFileIsAnInputError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("memory.json");
        Files.writeString(file, "{\"format\": \"something else\"}");
        KifInputException e = assertThrows(KifInputException.class, () -> ReplayMemory.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("format"), e.getMessage());
    }
}
